# Third-party dependencies of StreamWeave.
#
# Every dependency is looked up with find_package() first (FIND_PACKAGE_ARGS), so the
# system (Debian) packages or anything on CMAKE_PREFIX_PATH are used and no network is
# touched. Only when a package is not found is it built from a pinned upstream tag.
# A parent project may override any of these by declaring the same FetchContent name
# before adding StreamWeave (first declaration wins).
#
# Do not set FETCHCONTENT_TRY_FIND_PACKAGE_MODE=NEVER: it is global and would force
# network downloads of all dependencies (toolchain notes A2).

include(FetchContent)

# ---- Threads ----------------------------------------------------------------------
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)

# ---- oneTBB -------------------------------------------------------------------------
# oneTBB 2021.8 declares cmake_minimum_required(VERSION 3.1): without CMP0077 NEW its
# option() calls would ignore the variables below (and build its 136-test suite).
set(CMAKE_POLICY_DEFAULT_CMP0077 NEW)
set(TBB_TEST OFF)
set(TBB_EXAMPLES OFF)
set(TBB_STRICT OFF)  # oneTBB defaults to warnings-as-errors
set(TBB_INSTALL ${STREAMWEAVE_INSTALL})  # our install(EXPORT) needs TBB's targets exported
FetchContent_Declare(TBB
  GIT_REPOSITORY https://github.com/oneapi-src/oneTBB.git
  GIT_TAG        v2021.8.0
  GIT_SHALLOW    TRUE
  FIND_PACKAGE_ARGS 2021.5)

# ---- spdlog ---------------------------------------------------------------------------
set(SPDLOG_INSTALL ${STREAMWEAVE_INSTALL})  # our install(EXPORT) needs spdlog's targets exported
if(BUILD_SHARED_LIBS)
  set(SPDLOG_BUILD_PIC ON)
endif()
FetchContent_Declare(spdlog
  GIT_REPOSITORY https://github.com/gabime/spdlog.git
  GIT_TAG        v1.10.0
  GIT_SHALLOW    TRUE
  FIND_PACKAGE_ARGS 1.10)

set(_streamweave_deps TBB spdlog)

# ---- GoogleTest (tests only) ---------------------------------------------------------
if(STREAMWEAVE_BUILD_TESTS)
  set(INSTALL_GTEST OFF)
  set(gtest_force_shared_crt ON)
  FetchContent_Declare(googletest
    GIT_REPOSITORY https://github.com/google/googletest.git
    GIT_TAG        release-1.12.1
    GIT_SHALLOW    TRUE
    FIND_PACKAGE_ARGS NAMES GTest)
  list(APPEND _streamweave_deps googletest)
endif()

# ---- Google Benchmark (benchmarks only) ---------------------------------------------
if(STREAMWEAVE_BUILD_BENCH)
  set(BENCHMARK_ENABLE_TESTING OFF)
  set(BENCHMARK_ENABLE_GTEST_TESTS OFF)
  set(BENCHMARK_ENABLE_INSTALL OFF)
  set(BENCHMARK_INSTALL_DOCS OFF)
  set(BENCHMARK_ENABLE_WERROR OFF)
  FetchContent_Declare(benchmark
    GIT_REPOSITORY https://github.com/google/benchmark.git
    GIT_TAG        v1.7.1
    GIT_SHALLOW    TRUE
    FIND_PACKAGE_ARGS)
  list(APPEND _streamweave_deps benchmark)
endif()

FetchContent_MakeAvailable(${_streamweave_deps})
unset(_streamweave_deps)

# The tsan preset must not silently fall back to the distribution's (uninstrumented)
# libtbb, which gives TSan false positives (toolchain notes D2).
option(STREAMWEAVE_REQUIRE_TBB_FROM_PREFIX
  "Fail unless TBB's package was found under CMAKE_PREFIX_PATH" OFF)
mark_as_advanced(STREAMWEAVE_REQUIRE_TBB_FROM_PREFIX)
if(STREAMWEAVE_REQUIRE_TBB_FROM_PREFIX)
  set(_sw_tbb_ok FALSE)
  if(TBB_DIR)
    file(REAL_PATH "${TBB_DIR}" _sw_tbb_dir)
    foreach(_sw_prefix IN LISTS CMAKE_PREFIX_PATH)
      if(_sw_prefix STREQUAL "")
        continue()
      endif()
      file(REAL_PATH "${_sw_prefix}" _sw_prefix)
      cmake_path(IS_PREFIX _sw_prefix "${_sw_tbb_dir}" NORMALIZE _sw_is_prefix)
      if(_sw_is_prefix)
        set(_sw_tbb_ok TRUE)
      endif()
    endforeach()
  endif()
  if(NOT _sw_tbb_ok)
    message(FATAL_ERROR "STREAMWEAVE_REQUIRE_TBB_FROM_PREFIX: TBB was found at "
      "'${TBB_DIR}', not under CMAKE_PREFIX_PATH='${CMAKE_PREFIX_PATH}'. "
      "Run tools/build-tsan-tbb.sh and set STREAMWEAVE_TSAN_DEPS to the prefix it prints.")
  endif()
  message(STATUS "StreamWeave: using TBB from ${TBB_DIR}")
endif()

# ---- moodycamel ConcurrentQueue + ReaderWriterQueue (header-only, PRIVATE) ------------
# Provides the INTERFACE target streamweave_moodycamel with which both
#   #include <concurrentqueue.h>   and   #include <readerwriterqueue.h>
# work, whatever the installed layout (see FindStreamWeaveMoodycamel.cmake).
find_package(StreamWeaveMoodycamel MODULE)
if(NOT StreamWeaveMoodycamel_FOUND)
  message(STATUS "StreamWeave: moodycamel headers not found, fetching them")
  # SOURCE_SUBDIR points at a directory without CMakeLists.txt: only download, do not
  # add upstream's CMake projects (their install rules are inconsistent, concurrentqueue#384).
  FetchContent_Declare(concurrentqueue
    GIT_REPOSITORY https://github.com/cameron314/concurrentqueue.git
    GIT_TAG        v1.0.4
    GIT_SHALLOW    TRUE
    SOURCE_SUBDIR  streamweave-headers-only)
  FetchContent_Declare(readerwriterqueue
    GIT_REPOSITORY https://github.com/cameron314/readerwriterqueue.git
    GIT_TAG        v1.0.6
    GIT_SHALLOW    TRUE
    SOURCE_SUBDIR  streamweave-headers-only)
  FetchContent_MakeAvailable(concurrentqueue readerwriterqueue)
  streamweave_moodycamel_add_target(
    "${concurrentqueue_SOURCE_DIR}" "${readerwriterqueue_SOURCE_DIR}")
endif()
