# cmake -DCOMPILER=<c++> -DINCLUDE_DIR=<dir> -DHEADER=<path under include/> -DFORBIDDEN=<regex>
#       -P check_layering.cmake
# Preprocesses HEADER on its own and fails, listing them, when any header it pulls in (directly
# or not) matches FORBIDDEN. Used to keep a lower layer of the public API from including a
# higher one.
foreach(var IN ITEMS COMPILER INCLUDE_DIR HEADER FORBIDDEN)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_layering.cmake: -D${var}=... is required")
  endif()
endforeach()

set(tu "${CMAKE_CURRENT_BINARY_DIR}/layering_check.cpp")
file(WRITE "${tu}" "#include <${HEADER}>\n")
# -H prints every header opened, one per line, prefixed with dots for the depth.
execute_process(
  COMMAND "${COMPILER}" -std=c++20 "-I${INCLUDE_DIR}" -E -H "${tu}" -o /dev/null
  RESULT_VARIABLE rc
  ERROR_VARIABLE opened)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "preprocessing ${HEADER} failed:\n${opened}")
endif()
string(REGEX MATCHALL "[^\n]*${FORBIDDEN}[^\n]*" offenders "${opened}")
string(REGEX MATCHALL "[^\n]*streamweave/[^\n]*" all_ours "${opened}")
list(LENGTH all_ours count)
if(offenders)
  list(JOIN offenders "\n" listed)
  message(FATAL_ERROR "${HEADER} pulls in headers of a higher layer (matching '${FORBIDDEN}'):\n${listed}")
endif()
message(STATUS "${HEADER}: ${count} StreamWeave headers opened, none matching '${FORBIDDEN}'")
