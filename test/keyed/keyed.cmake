# Tests of keyed (registered with streamweave_add_gtest; see test/CMakeLists.txt).
