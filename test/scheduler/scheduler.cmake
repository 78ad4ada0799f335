# White-box tests of the scheduling layer (registered with streamweave_add_gtest; see
# test/CMakeLists.txt). Labelled concurrency so that they also run under ThreadSanitizer.
streamweave_add_gtest(NAME scheduler_unit_state_test SOURCES scheduler/unit_state_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME scheduler_timer_service_test SOURCES scheduler/timer_service_test.cpp LABELS unit concurrency TIMEOUT 120)
