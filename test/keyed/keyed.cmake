# Tests of keyed (registered with streamweave_add_gtest; see test/CMakeLists.txt).
streamweave_add_gtest(NAME keyed_aggregate_test SOURCES keyed/keyed_aggregate_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_join_test SOURCES keyed/keyed_join_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_random_test SOURCES keyed/keyed_random_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_edge_cases_test SOURCES keyed/keyed_edge_cases_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_process_test SOURCES keyed/keyed_process_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_final_and_arg_max_test SOURCES keyed/keyed_final_and_arg_max_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME keyed_key_hash_test SOURCES keyed/key_hash_test.cpp LABELS unit concurrency TIMEOUT 120)
# A key type without a hash: one readable error, not pages of hash-table internals (unsanitized
# builds only: the diagnostics do not depend on the sanitizers).
if(NOT STREAMWEAVE_SANITIZE)
  add_test(NAME keyed_key_without_hash_is_one_clear_error
    COMMAND "${CMAKE_COMMAND}"
      -DCOMPILER=${CMAKE_CXX_COMPILER}
      -DINCLUDE_DIR=${PROJECT_SOURCE_DIR}/include
      -DSOURCE=${CMAKE_CURRENT_LIST_DIR}/compile_fail/key_without_hash.cpp
      "-DEXPECT=the key type has no hash. Specialize std::hash<K> or streamweave::key_hash<K>"
      -DMAX_BYTES=16000
      -P "${CMAKE_CURRENT_LIST_DIR}/check_compile_error.cmake")
  set_tests_properties(keyed_key_without_hash_is_one_clear_error PROPERTIES LABELS unit)
endif()
