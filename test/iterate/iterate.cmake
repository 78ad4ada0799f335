# Tests of loop scopes and iteration (registered with streamweave_add_gtest; see test/CMakeLists.txt).
streamweave_add_gtest(NAME iterate_loop_test SOURCES iterate/loop_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME iterate_loop_random_test SOURCES iterate/loop_random_test.cpp LABELS unit concurrency TIMEOUT 300)
