# streamweave_target_warnings(<target>)
#
# Adds the project's warning flags as PRIVATE compile options of <target>, but only
# when STREAMWEAVE_DEV_MODE is ON (the presets turn it on). Warnings are never errors.
function(streamweave_target_warnings target)
  if(NOT STREAMWEAVE_DEV_MODE)
    return()
  endif()
  target_compile_options(${target} PRIVATE
    "$<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-Wall;-Wextra;-Wpedantic>"
    "$<$<CXX_COMPILER_ID:MSVC>:/W4>")
endfunction()
