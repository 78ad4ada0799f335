# FindStreamWeaveMoodycamel
# -------------------------
#
# Finds cameron314's header-only concurrentqueue.h and readerwriterqueue.h in every
# known installed layout and provides the INTERFACE target
#
#   streamweave_moodycamel
#
# whose include directories make BOTH of these work:
#
#   #include <concurrentqueue.h>          (and blockingconcurrentqueue.h, ...)
#   #include <readerwriterqueue.h>        (and readerwritercircularbuffer.h, atomicops.h)
#
# Layouts handled (toolchain notes A5), relative to each prefix's include dir:
#   Debian/Ubuntu libconcurrentqueue-dev    concurrentqueue/concurrentqueue.h
#   Debian/Ubuntu libreaderwriterqueue-dev  readerwriterqueue/readerwriterqueue.h (+ plain)
#   upstream `cmake --install`              concurrentqueue/moodycamel/concurrentqueue.h
#                                           readerwriterqueue/readerwriterqueue.h
#   vcpkg                                   concurrentqueue/*.h, readerwriterqueue/*.h
#   Conan                                   moodycamel/*.h
#   plain copy                              concurrentqueue.h, readerwriterqueue.h
#
# Hints: CMAKE_PREFIX_PATH, StreamWeaveMoodycamel_ROOT, or set the cache variables
# StreamWeaveMoodycamel_CONCURRENTQUEUE_INCLUDE_DIR / _READERWRITERQUEUE_INCLUDE_DIR to the
# directories that directly contain the headers.
#
# Result variables: StreamWeaveMoodycamel_FOUND, StreamWeaveMoodycamel_INCLUDE_DIRS.
#
# Also defines streamweave_moodycamel_add_target(<cq-dir> <rwq-dir>), used by the
# FetchContent fallback in dependencies.cmake.

function(streamweave_moodycamel_add_target cq_dir rwq_dir)
  if(TARGET streamweave_moodycamel)
    return()
  endif()
  add_library(streamweave_moodycamel INTERFACE)
  # SYSTEM: third-party headers must not trigger our -Wpedantic etc.
  target_include_directories(streamweave_moodycamel SYSTEM INTERFACE "${cq_dir}" "${rwq_dir}")
endfunction()

# Suffixes are tried before the plain include dir, so the directory-qualified Debian
# layout (/usr/include/readerwriterqueue) is preferred to the top-level compat copy.
find_path(StreamWeaveMoodycamel_CONCURRENTQUEUE_INCLUDE_DIR
  NAMES concurrentqueue.h
  PATH_SUFFIXES
    concurrentqueue/moodycamel
    concurrentqueue
    moodycamel
  DOC "Directory containing moodycamel's concurrentqueue.h")

find_path(StreamWeaveMoodycamel_READERWRITERQUEUE_INCLUDE_DIR
  NAMES readerwriterqueue.h
  PATH_SUFFIXES
    readerwriterqueue/moodycamel
    readerwriterqueue
    moodycamel
  DOC "Directory containing moodycamel's readerwriterqueue.h")

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(StreamWeaveMoodycamel
  REQUIRED_VARS
    StreamWeaveMoodycamel_CONCURRENTQUEUE_INCLUDE_DIR
    StreamWeaveMoodycamel_READERWRITERQUEUE_INCLUDE_DIR)

mark_as_advanced(
  StreamWeaveMoodycamel_CONCURRENTQUEUE_INCLUDE_DIR
  StreamWeaveMoodycamel_READERWRITERQUEUE_INCLUDE_DIR)

if(StreamWeaveMoodycamel_FOUND)
  set(StreamWeaveMoodycamel_INCLUDE_DIRS
    "${StreamWeaveMoodycamel_CONCURRENTQUEUE_INCLUDE_DIR}"
    "${StreamWeaveMoodycamel_READERWRITERQUEUE_INCLUDE_DIR}")
  streamweave_moodycamel_add_target(
    "${StreamWeaveMoodycamel_CONCURRENTQUEUE_INCLUDE_DIR}"
    "${StreamWeaveMoodycamel_READERWRITERQUEUE_INCLUDE_DIR}")
endif()
