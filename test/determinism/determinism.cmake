# Tests of determinism (registered with streamweave_add_gtest; see test/CMakeLists.txt).
streamweave_add_gtest(NAME determinism_output_test SOURCES determinism/deterministic_output_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME determinism_random_dag_test SOURCES determinism/deterministic_random_dag_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME determinism_control_test SOURCES determinism/deterministic_control_test.cpp LABELS unit concurrency TIMEOUT 120)
