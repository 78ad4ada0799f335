# Unit tests of the lock-free queue parts (registered with streamweave_add_gtest; see
# test/CMakeLists.txt). Labelled concurrency so that they also run under ThreadSanitizer.
streamweave_add_gtest(NAME queue_spsc_ring_test SOURCES queue/spsc_ring_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME queue_edge_queue_test SOURCES queue/edge_queue_test.cpp LABELS unit concurrency TIMEOUT 120)
streamweave_add_gtest(NAME queue_batch_pool_test SOURCES queue/batch_pool_test.cpp LABELS unit concurrency TIMEOUT 120)
