# NEXMark tests (label nexmark): the csv reader, the generator, the sequential reference queries and
# the dataflow queries, on the samples copied into test/data/nexmark and on generated inputs.
if(TARGET streamweave_nexmark_data)
  foreach(name IN ITEMS csv_reader generator reference_queries)
    streamweave_add_gtest(NAME nexmark_${name}_test SOURCES nexmark/${name}_test.cpp LABELS unit nexmark)
    target_link_libraries(nexmark_${name}_test PRIVATE streamweave_nexmark_data)
    target_compile_definitions(nexmark_${name}_test PRIVATE
      STREAMWEAVE_NEXMARK_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/nexmark")
  endforeach()
endif()
if(TARGET streamweave_nexmark_queries)
  streamweave_add_gtest(NAME nexmark_dataflow_queries_test SOURCES nexmark/dataflow_queries_test.cpp
    LABELS unit nexmark concurrency TIMEOUT 600)
  target_link_libraries(nexmark_dataflow_queries_test PRIVATE streamweave_nexmark_queries)
  target_compile_definitions(nexmark_dataflow_queries_test PRIVATE
    STREAMWEAVE_NEXMARK_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/nexmark")
endif()
