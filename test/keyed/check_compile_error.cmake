# cmake -DCOMPILER=<c++> -DINCLUDE_DIR=<dir> -DSOURCE=<file> -DEXPECT=<regex> -DMAX_BYTES=<n>
#       -P check_compile_error.cmake
# Compiles SOURCE (syntax only) and passes when the compiler rejects it with a message matching
# EXPECT in at most MAX_BYTES of diagnostics: a misuse must fail with one readable error, not
# pages from inside the library.
foreach(var IN ITEMS COMPILER INCLUDE_DIR SOURCE EXPECT MAX_BYTES)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_compile_error.cmake: -D${var}=... is required")
  endif()
endforeach()
execute_process(
  COMMAND "${COMPILER}" -std=c++20 -fsyntax-only "-I${INCLUDE_DIR}" "${SOURCE}"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
string(APPEND err "${out}")
string(LENGTH "${err}" bytes)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must be rejected")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "${SOURCE} was rejected without the expected message '${EXPECT}':\n${err}")
endif()
if(bytes GREATER MAX_BYTES)
  message(FATAL_ERROR "${SOURCE}: ${bytes} bytes of diagnostics, more than ${MAX_BYTES}:\n${err}")
endif()
message(STATUS "${SOURCE}: rejected with the expected message in ${bytes} bytes of diagnostics")
