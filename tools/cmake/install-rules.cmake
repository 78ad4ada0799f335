# Install rules for StreamWeave (included only when STREAMWEAVE_INSTALL is ON).

include(CMakePackageConfigHelpers)

set(STREAMWEAVE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/streamweave"
  CACHE STRING "Install directory (relative to the prefix) of streamweave's CMake package files")
mark_as_advanced(STREAMWEAVE_INSTALL_CMAKEDIR)

install(TARGETS streamweave
  EXPORT streamweaveTargets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT streamweave_Runtime
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT streamweave_Runtime
          NAMELINK_COMPONENT streamweave_Development
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT streamweave_Development)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/streamweave"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT streamweave_Development)

install(EXPORT streamweaveTargets
  NAMESPACE streamweave::
  DESTINATION "${STREAMWEAVE_INSTALL_CMAKEDIR}"
  COMPONENT streamweave_Development)

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/tools/cmake/streamweaveConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/streamweaveConfig.cmake"
  INSTALL_DESTINATION "${STREAMWEAVE_INSTALL_CMAKEDIR}")

# Pre-1.0: 0.1.x is compatible with 0.1.y only.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/streamweaveConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)

# The kafka component: its own export set, loaded by the Config only when the component is
# asked for, with the find module that recreates its librdkafka dependency.
if(TARGET streamweave_kafka)
  install(TARGETS streamweave_kafka
    EXPORT streamweaveKafkaTargets
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT streamweave_Runtime
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT streamweave_Runtime
            NAMELINK_COMPONENT streamweave_Development
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT streamweave_Development)
  install(EXPORT streamweaveKafkaTargets
    NAMESPACE streamweave::
    DESTINATION "${STREAMWEAVE_INSTALL_CMAKEDIR}"
    COMPONENT streamweave_Development)
  install(FILES "${PROJECT_SOURCE_DIR}/tools/cmake/FindStreamWeaveRdKafka.cmake"
    DESTINATION "${STREAMWEAVE_INSTALL_CMAKEDIR}"
    COMPONENT streamweave_Development)
endif()

install(FILES
    "${PROJECT_BINARY_DIR}/streamweaveConfig.cmake"
    "${PROJECT_BINARY_DIR}/streamweaveConfigVersion.cmake"
  DESTINATION "${STREAMWEAVE_INSTALL_CMAKEDIR}"
  COMPONENT streamweave_Development)
