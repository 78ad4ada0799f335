# Public-header checks (see test/CMakeLists.txt):
#  - every header under include/ compiles on its own: one generated translation unit per header,
#    built into the object library streamweave_header_check (a header that is not
#    self-contained breaks the build, naming itself);
#  - the layers stay apart: preprocessing graph/stream.hpp and graph/graph.hpp pulls in nothing
#    from keyed/, window/ or loop/loop_scope.hpp (ctest header_layering_*).
# Only in unsanitized builds: the sanitizers add nothing to what a header includes.
if(STREAMWEAVE_SANITIZE)
  return()
endif()

file(GLOB_RECURSE streamweave_public_headers RELATIVE "${PROJECT_SOURCE_DIR}/include" CONFIGURE_DEPENDS
  "${PROJECT_SOURCE_DIR}/include/streamweave/*.hpp")
set(header_check_sources "")
foreach(header IN LISTS streamweave_public_headers)
  string(MAKE_C_IDENTIFIER "${header}" header_id)
  set(tu "${CMAKE_CURRENT_BINARY_DIR}/header_check/${header_id}.cpp")
  # Included twice: the second inclusion must be a no-op (#pragma once).
  file(CONFIGURE OUTPUT "${tu}" CONTENT "#include <${header}>\n#include <${header}>\n" @ONLY)
  list(APPEND header_check_sources "${tu}")
endforeach()
add_library(streamweave_header_check OBJECT ${header_check_sources})
target_link_libraries(streamweave_header_check PRIVATE streamweave::streamweave)
streamweave_target_warnings(streamweave_header_check)

foreach(header IN ITEMS graph/stream.hpp graph/graph.hpp)
  string(MAKE_C_IDENTIFIER "${header}" header_id)
  add_test(NAME header_layering_${header_id}
    COMMAND "${CMAKE_COMMAND}"
      -DCOMPILER=${CMAKE_CXX_COMPILER}
      -DINCLUDE_DIR=${PROJECT_SOURCE_DIR}/include
      -DHEADER=streamweave/${header}
      "-DFORBIDDEN=streamweave/((keyed|window)/|loop/loop_scope)"
      -P "${CMAKE_CURRENT_LIST_DIR}/check_layering.cmake")
  set_tests_properties(header_layering_${header_id} PROPERTIES LABELS unit)
endforeach()
