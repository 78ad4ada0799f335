# Applies STREAMWEAVE_SANITIZE (e.g. "address,undefined" or "thread") to every target
# defined from the including directory downwards. The flags are also kept in
# STREAMWEAVE_SANITIZER_FLAGS so that nested builds (packaging tests) can reuse them.
#
# Notes (see shared docs, toolchain notes D2):
# * g++ UBSan flags oneTBB's flow graph (vptr downcast) -> -fno-sanitize=vptr.
# * g++ warns that atomic_thread_fence is unsupported under TSan on TBB headers -> -Wno-tsan.
# * TSan needs a TSan-instrumented TBB (tools/build-tsan-tbb.sh, tsan preset).

set(STREAMWEAVE_SANITIZER_FLAGS "")
if(NOT STREAMWEAVE_SANITIZE STREQUAL "")
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "STREAMWEAVE_SANITIZE is only supported with GCC and Clang")
  endif()
  list(APPEND STREAMWEAVE_SANITIZER_FLAGS
    "-fsanitize=${STREAMWEAVE_SANITIZE}" -fno-omit-frame-pointer)
  if(STREAMWEAVE_SANITIZE MATCHES "undefined")
    list(APPEND STREAMWEAVE_SANITIZER_FLAGS -fno-sanitize=vptr -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${STREAMWEAVE_SANITIZER_FLAGS})
  add_link_options(${STREAMWEAVE_SANITIZER_FLAGS})
  if(STREAMWEAVE_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
  endif()
  message(STATUS "StreamWeave: sanitizers: ${STREAMWEAVE_SANITIZER_FLAGS}")
endif()
