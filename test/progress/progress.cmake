# Progress-tracking primitives (include/streamweave/progress/): one test executable per header.
# Random tests print their seed on failure; replay one case with STREAMWEAVE_SEED=<seed>.
streamweave_add_gtest(NAME progress_timestamp_laws_test SOURCES progress/timestamp_laws_test.cpp LABELS unit TIMEOUT 60)
streamweave_add_gtest(NAME progress_change_batch_test SOURCES progress/change_batch_test.cpp LABELS unit TIMEOUT 60)
streamweave_add_gtest(NAME progress_antichain_test SOURCES progress/antichain_test.cpp LABELS unit TIMEOUT 60)
streamweave_add_gtest(NAME progress_tracker_test SOURCES progress/tracker_test.cpp LABELS unit TIMEOUT 60)
streamweave_add_gtest(NAME progress_ordered_counts_test SOURCES progress/ordered_counts_test.cpp LABELS unit TIMEOUT 60)
