# The soak tool (run by tools/soak, and by .ci/run for 2 minutes), plus a short smoke run in
# ctest so that it cannot rot and so that the sanitizer builds run it too.
add_executable(streamweave_soak soak/soak_main.cpp)
target_link_libraries(streamweave_soak PRIVATE streamweave::streamweave)
target_include_directories(streamweave_soak PRIVATE "${PROJECT_SOURCE_DIR}/test")
streamweave_target_warnings(streamweave_soak)
add_test(NAME soak_smoke COMMAND streamweave_soak --seconds 6 --interval 3 --no-growth-check)
set_tests_properties(soak_smoke PROPERTIES LABELS "unit" TIMEOUT 120)
