streamweave_add_gtest(NAME runtime_smoke_test SOURCES runtime/smoke_test.cpp LABELS unit concurrency)
