# FindStreamWeaveRdKafka
# ----------------------
#
# Finds librdkafka's C client (Debian/Ubuntu: librdkafka-dev; it ships a pkg-config file but no
# CMake package) and provides the IMPORTED target
#
#   StreamWeave::rdkafka      include directory containing <librdkafka/rdkafka.h>, and the library
#
# Hints: CMAKE_PREFIX_PATH, StreamWeaveRdKafka_ROOT, or the cache variables
# StreamWeaveRdKafka_INCLUDE_DIR (the directory containing librdkafka/rdkafka.h) and
# StreamWeaveRdKafka_LIBRARY.
#
# Result variables: StreamWeaveRdKafka_FOUND, StreamWeaveRdKafka_VERSION (from rdkafka.h).
#
# Installed beside streamweaveConfig.cmake: the kafka component's exported target links to
# StreamWeave::rdkafka, so a find_package(streamweave COMPONENTS kafka) consumer runs this too.
find_path(StreamWeaveRdKafka_INCLUDE_DIR NAMES librdkafka/rdkafka.h)
find_library(StreamWeaveRdKafka_LIBRARY NAMES rdkafka)

set(StreamWeaveRdKafka_VERSION "")
if(StreamWeaveRdKafka_INCLUDE_DIR AND EXISTS "${StreamWeaveRdKafka_INCLUDE_DIR}/librdkafka/rdkafka.h")
  file(STRINGS "${StreamWeaveRdKafka_INCLUDE_DIR}/librdkafka/rdkafka.h" _sw_rdk_version_line
    REGEX "^#define RD_KAFKA_VERSION +0x[0-9a-fA-F]+")
  if(_sw_rdk_version_line MATCHES "0x([0-9a-fA-F][0-9a-fA-F])([0-9a-fA-F][0-9a-fA-F])([0-9a-fA-F][0-9a-fA-F])")
    math(EXPR _sw_rdk_major "0x${CMAKE_MATCH_1}")
    math(EXPR _sw_rdk_minor "0x${CMAKE_MATCH_2}")
    math(EXPR _sw_rdk_patch "0x${CMAKE_MATCH_3}")
    set(StreamWeaveRdKafka_VERSION "${_sw_rdk_major}.${_sw_rdk_minor}.${_sw_rdk_patch}")
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(StreamWeaveRdKafka
  REQUIRED_VARS StreamWeaveRdKafka_LIBRARY StreamWeaveRdKafka_INCLUDE_DIR
  VERSION_VAR StreamWeaveRdKafka_VERSION)
mark_as_advanced(StreamWeaveRdKafka_INCLUDE_DIR StreamWeaveRdKafka_LIBRARY)

if(StreamWeaveRdKafka_FOUND AND NOT TARGET StreamWeave::rdkafka)
  add_library(StreamWeave::rdkafka UNKNOWN IMPORTED)
  set_target_properties(StreamWeave::rdkafka PROPERTIES
    IMPORTED_LOCATION "${StreamWeaveRdKafka_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${StreamWeaveRdKafka_INCLUDE_DIR}")
endif()
