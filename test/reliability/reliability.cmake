# Reliability: the guarantees under hostile use (registered with streamweave_add_gtest; see
# test/CMakeLists.txt). Labelled concurrency so that they also run under ThreadSanitizer.
streamweave_add_gtest(NAME reliability_input_contract_test SOURCES reliability/input_contract_test.cpp LABELS unit concurrency TIMEOUT 180)
streamweave_add_gtest(NAME reliability_output_handle_test SOURCES reliability/output_handle_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME reliability_notification_test SOURCES reliability/notification_test.cpp LABELS unit concurrency TIMEOUT 60)
streamweave_add_gtest(NAME reliability_lifetime_test SOURCES reliability/lifetime_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME reliability_time_limit_test SOURCES reliability/time_limit_test.cpp LABELS unit concurrency TIMEOUT 60)
streamweave_add_gtest(NAME reliability_workers_test SOURCES reliability/workers_test.cpp LABELS unit concurrency TIMEOUT 60)
streamweave_add_gtest(NAME reliability_memory_bound_test SOURCES reliability/memory_bound_test.cpp LABELS unit concurrency TIMEOUT 60)
streamweave_add_gtest(NAME reliability_fault_dag_test SOURCES reliability/fault_dag_test.cpp LABELS unit concurrency TIMEOUT 900)
streamweave_add_gtest(NAME reliability_input_stress_test SOURCES reliability/input_stress_test.cpp LABELS unit concurrency TIMEOUT 900)
streamweave_add_gtest(NAME reliability_misuse_test SOURCES reliability/misuse_test.cpp LABELS unit concurrency TIMEOUT 300)
streamweave_add_gtest(NAME reliability_input_writer_test SOURCES reliability/input_writer_test.cpp LABELS unit concurrency TIMEOUT 300)
streamweave_add_gtest(NAME reliability_input_bias_test SOURCES reliability/input_bias_test.cpp LABELS unit concurrency TIMEOUT 300)
