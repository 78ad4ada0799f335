streamweave_add_gtest(NAME observe_latency_histogram_test SOURCES observe/latency_histogram_test.cpp LABELS unit)
streamweave_add_gtest(NAME observe_metrics_test SOURCES observe/metrics_test.cpp LABELS unit concurrency)

# The exporters' output, parsed by real parsers (tools/install-deps.sh installs the
# Prometheus one). Debian's parser is a package of the system Python, so that Python runs it
# even when another python3 is first on PATH.
add_executable(observe_export_sample observe/export_sample.cpp)
target_link_libraries(observe_export_sample PRIVATE streamweave::streamweave)
streamweave_target_warnings(observe_export_sample)
find_program(STREAMWEAVE_SYSTEM_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT STREAMWEAVE_SYSTEM_PYTHON)
  find_program(STREAMWEAVE_SYSTEM_PYTHON NAMES python3 REQUIRED)
endif()
add_test(NAME observe_exports_parse
  COMMAND "${STREAMWEAVE_SYSTEM_PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/check_exports.py"
          $<TARGET_FILE:observe_export_sample> "${CMAKE_CURRENT_BINARY_DIR}/observe_exports")
set_tests_properties(observe_exports_parse PROPERTIES LABELS "unit" TIMEOUT 60)
streamweave_add_gtest(NAME observe_epoch_latency_test SOURCES observe/epoch_latency_test.cpp LABELS unit)
streamweave_add_gtest(NAME observe_activity_clock_test SOURCES observe/activity_clock_test.cpp LABELS unit)
streamweave_add_gtest(NAME observe_trace_ring_test SOURCES observe/trace_ring_test.cpp LABELS unit concurrency)

# The DOT exporters' output, rendered by Graphviz (tools/install-deps.sh installs it).
add_executable(observe_dot_sample observe/dot_sample.cpp)
target_link_libraries(observe_dot_sample PRIVATE streamweave::streamweave)
target_include_directories(observe_dot_sample PRIVATE "${PROJECT_SOURCE_DIR}/test")
streamweave_target_warnings(observe_dot_sample)
find_program(STREAMWEAVE_DOT NAMES dot REQUIRED)
add_test(NAME observe_dot_renders
  COMMAND "${STREAMWEAVE_SYSTEM_PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/check_dot.py"
          $<TARGET_FILE:observe_dot_sample> "${STREAMWEAVE_DOT}" "${CMAKE_CURRENT_BINARY_DIR}/observe_dot")
set_tests_properties(observe_dot_renders PROPERTIES LABELS "unit" TIMEOUT 60)

# The activation trace, checked against the trace-event format and the run's metrics.
add_executable(observe_trace_sample observe/trace_sample.cpp)
target_link_libraries(observe_trace_sample PRIVATE streamweave::streamweave)
streamweave_target_warnings(observe_trace_sample)
add_test(NAME observe_trace_format
  COMMAND "${STREAMWEAVE_SYSTEM_PYTHON}" "${CMAKE_CURRENT_LIST_DIR}/check_trace.py"
          $<TARGET_FILE:observe_trace_sample> "${CMAKE_CURRENT_BINARY_DIR}/observe_trace")
set_tests_properties(observe_trace_format PROPERTIES LABELS "unit" TIMEOUT 60)
streamweave_add_gtest(NAME observe_trace_test SOURCES observe/trace_test.cpp LABELS unit concurrency)
