streamweave_add_example(NAME quickstart SOURCES quickstart.cpp)
streamweave_add_example(NAME demo_pipeline SOURCES demo_pipeline.cpp ARGS 200000 2)
# A small run of the demo in ctest (the default size is for tools/demo).
set_tests_properties(example_demo_pipeline PROPERTIES TIMEOUT 120)
# The same with --metrics: the table, the DOT files, the Prometheus dump and the trace.
add_test(NAME example_demo_pipeline_metrics COMMAND demo_pipeline --metrics 200000 2
         WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
set_tests_properties(example_demo_pipeline_metrics PROPERTIES LABELS example TIMEOUT 120
                     PASS_REGULAR_EXPRESSION "wrote demo-metrics/")
add_test(NAME example_readme_quickstart_in_sync
  COMMAND ${CMAKE_COMMAND} -DREADME=${PROJECT_SOURCE_DIR}/README.md
          -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/quickstart.cpp
          -P ${CMAKE_CURRENT_SOURCE_DIR}/check_readme_quickstart.cmake)
set_tests_properties(example_readme_quickstart_in_sync PROPERTIES LABELS example)
