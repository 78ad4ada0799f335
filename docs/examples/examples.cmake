streamweave_add_example(NAME quickstart SOURCES quickstart.cpp)
streamweave_add_example(NAME demo_pipeline SOURCES demo_pipeline.cpp ARGS 200000 2)
# A small run of the demo in ctest (the default size is for tools/demo).
set_tests_properties(example_demo_pipeline PROPERTIES TIMEOUT 120)
