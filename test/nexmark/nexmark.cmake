# NEXMark tests (label nexmark): the csv reader, the generator, the sequential reference queries and
# the dataflow queries, on the spec's samples and on generated inputs.
#
# The samples (tiny/ and small-ooo/, generated data of several MiB) are kept out of git. They are
# read from STREAMWEAVE_NEXMARK_SAMPLES, or else from ../shared/nexmark beside the source tree.
# Without them the sample tests skip, saying why; with STREAMWEAVE_REQUIRE_NEXMARK_SAMPLES=1 in the
# environment (.ci/run sets it) a missing folder is a configure error instead.
set(STREAMWEAVE_NEXMARK_SAMPLES "" CACHE PATH "Folder holding the NEXMark samples tiny/ and small-ooo/")
set(streamweave_nexmark_samples "")
foreach(dir IN ITEMS "${STREAMWEAVE_NEXMARK_SAMPLES}" "${PROJECT_SOURCE_DIR}/../shared/nexmark")
  if(dir AND EXISTS "${dir}/tiny/events.csv" AND EXISTS "${dir}/small-ooo/events.csv")
    get_filename_component(streamweave_nexmark_samples "${dir}" ABSOLUTE)
    break()
  endif()
endforeach()
if(NOT streamweave_nexmark_samples)
  if("$ENV{STREAMWEAVE_REQUIRE_NEXMARK_SAMPLES}" STREQUAL "1")
    message(FATAL_ERROR "NEXMark samples not found: set STREAMWEAVE_NEXMARK_SAMPLES to the folder holding tiny/ and small-ooo/")
  endif()
  message(WARNING "NEXMark samples not found (STREAMWEAVE_NEXMARK_SAMPLES, ../shared/nexmark): the sample tests will skip")
endif()
if(TARGET streamweave_nexmark_data)
  foreach(name IN ITEMS csv_reader generator reference_queries)
    streamweave_add_gtest(NAME nexmark_${name}_test SOURCES nexmark/${name}_test.cpp LABELS unit nexmark)
    target_link_libraries(nexmark_${name}_test PRIVATE streamweave_nexmark_data)
    target_compile_definitions(nexmark_${name}_test PRIVATE
      STREAMWEAVE_NEXMARK_DATA_DIR="${streamweave_nexmark_samples}")
  endforeach()
endif()
if(TARGET streamweave_nexmark_queries)
  streamweave_add_gtest(NAME nexmark_dataflow_queries_test SOURCES nexmark/dataflow_queries_test.cpp
    LABELS unit nexmark concurrency TIMEOUT 600)
  target_link_libraries(nexmark_dataflow_queries_test PRIVATE streamweave_nexmark_queries)
  target_compile_definitions(nexmark_dataflow_queries_test PRIVATE
    STREAMWEAVE_NEXMARK_DATA_DIR="${streamweave_nexmark_samples}")
endif()
