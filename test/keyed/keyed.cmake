# Tests of keyed (registered with streamweave_add_gtest; see test/CMakeLists.txt).
streamweave_add_gtest(NAME keyed_aggregate_test SOURCES keyed/keyed_aggregate_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_join_test SOURCES keyed/keyed_join_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_random_test SOURCES keyed/keyed_random_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_edge_cases_test SOURCES keyed/keyed_edge_cases_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_process_test SOURCES keyed/keyed_process_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_final_and_arg_max_test SOURCES keyed/keyed_final_and_arg_max_test.cpp LABELS unit concurrency TIMEOUT 120)
