# Tests of window (registered with streamweave_add_gtest; see test/CMakeLists.txt).
streamweave_add_gtest(NAME window_basics_test SOURCES window/window_basics_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME window_event_time_test SOURCES window/event_time_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME window_random_test SOURCES window/window_random_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME window_memory_test SOURCES window/window_memory_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME window_edge_cases_test SOURCES window/window_edge_cases_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME window_event_time_source_test SOURCES window/event_time_source_test.cpp LABELS unit concurrency TIMEOUT 120)
