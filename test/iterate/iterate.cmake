# Tests of iterate (registered with streamweave_add_gtest; see test/CMakeLists.txt).
