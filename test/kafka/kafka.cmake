# The Kafka component's tests, against librdkafka's mock cluster (no broker, no network).
# Only when the component is built (STREAMWEAVE_WITH_KAFKA, librdkafka found). Not in the
# concurrency label: Debian's librdkafka crashes under TSan (toolchain notes C4).
if(NOT TARGET streamweave_kafka)
  return()
endif()
streamweave_add_gtest(NAME kafka_sink_test SOURCES kafka/sink_test.cpp LABELS unit kafka TIMEOUT 120)
target_link_libraries(kafka_sink_test PRIVATE streamweave::kafka StreamWeave::rdkafka)
streamweave_add_gtest(NAME kafka_source_test SOURCES kafka/source_test.cpp LABELS unit kafka TIMEOUT 180)
target_link_libraries(kafka_source_test PRIVATE streamweave::kafka StreamWeave::rdkafka)
# Its own main: run with --scale-out-worker, the binary is one member of the group under test.
streamweave_add_gtest(NAME kafka_scale_out_test SOURCES kafka/scale_out_test.cpp LABELS unit kafka TIMEOUT 240)
target_link_libraries(kafka_scale_out_test PRIVATE streamweave::kafka StreamWeave::rdkafka)
