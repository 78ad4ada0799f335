# Fails when README.md does not contain docs/examples/quickstart.cpp verbatim, so the program
# shown in the README is the one that is compiled and run as the example_quickstart test.
#   cmake -DREADME=<README.md> -DSOURCE=<quickstart.cpp> -P check_readme_quickstart.cmake
file(READ "${README}" readme)
file(READ "${SOURCE}" source)
string(FIND "${readme}" "${source}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "README.md does not contain ${SOURCE} verbatim; paste it between the quickstart markers")
endif()
message(STATUS "README quickstart matches ${SOURCE}")
