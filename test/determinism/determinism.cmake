# Tests of determinism (registered with streamweave_add_gtest; see test/CMakeLists.txt).
