// kafka::sink against librdkafka's mock cluster: every record reaches the topic once, a probe
// after the sink passes a time only once its records are in the topic, retriable errors are
// survived, failures stop the run naming the topic, and a full producer queue slows the graph
// down instead of dropping records.
#include <streamweave/kafka/sink.hpp>
#include <streamweave/streamweave.hpp>

#include "kafka/mock_cluster.hpp"
#include "support/watchdog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sw = streamweave;
namespace kafka = streamweave::kafka;
using streamweave::testing::mock_cluster;
using streamweave::testing::stored_message;

namespace {

constexpr std::int16_t produce_api = 0;  // the Produce request's API key (librdkafka keeps the names private)

kafka::sink_options options_for(const mock_cluster& cluster, const std::string& topic) {
  kafka::sink_options o;
  o.topic = topic;
  o.properties = {{"bootstrap.servers", cluster.bootstraps()}, {"linger.ms", "1"}};
  return o;
}

kafka::message as_message(const int& v) { return {.key = "k" + std::to_string(v % 7), .value = std::to_string(v)}; }

sw::runtime_options two_threads() {
  sw::runtime_options o;
  o.threads = 2;
  return o;
}

/// Each test's own mock cluster (topics are created by the test), a runtime and a graph.
class KafkaSink : public ::testing::Test {
 protected:
  mock_cluster cluster;
  sw::runtime rt{two_threads()};
  sw::graph g{"kafka sink"};
};

/// The exception's message, with the nested one (an operator_error wraps the operator's).
std::string full_message(const std::exception& e) {
  std::string text = e.what();
  try {
    std::rethrow_if_nested(e);
  } catch (const std::exception& inner) {
    text += " | " + full_message(inner);
  }
  return text;
}

TEST_F(KafkaSink, EveryRecordReachesTheTopicOnceAndIsAcknowledgedAtItsTime) {
  sw::testing::watchdog dog("KafkaSink.EveryRecord", std::chrono::seconds(60));
  cluster.create_topic("every-record", 4);
  auto [in, values] = g.input<int>("values");
  auto acks = kafka::sink(values, "to every-record", options_for(cluster, "every-record"), as_message);
  auto seen = acks.collect("acks");
  auto run = rt.run(g);
  constexpr int epochs = 4, per_epoch = 2500;
  for (int e = 0; e < epochs; ++e) {
    for (int i = 0; i < per_epoch; ++i) in.send(e * per_epoch + i);
    in.advance_to(static_cast<sw::timestamp>(e + 1));
  }
  in.close();
  run.wait();

  const std::vector<stored_message> stored = cluster.read_all("every-record", 4);
  ASSERT_EQ(stored.size(), std::size_t{epochs * per_epoch});
  std::multiset<int> values_stored;
  std::map<std::pair<std::int32_t, std::int64_t>, const stored_message*> by_position;
  for (const auto& m : stored) {
    const int v = std::stoi(m.value);
    values_stored.insert(v);
    ASSERT_TRUE(m.key.has_value());
    EXPECT_EQ(*m.key, "k" + std::to_string(v % 7));
    by_position[{m.partition, m.offset}] = &m;
  }
  std::multiset<int> expected;
  for (int v = 0; v < epochs * per_epoch; ++v) expected.insert(v);
  EXPECT_EQ(values_stored, expected);  // each exactly once

  // One delivery per record, at the record's time, naming where the record is.
  const auto by_time = seen.by_time();
  ASSERT_EQ(by_time.size(), std::size_t{epochs});
  for (const auto& [t, ds] : by_time) {
    EXPECT_EQ(ds.size(), std::size_t{per_epoch}) << "time " << t;
    for (const kafka::delivery& d : ds) {
      const auto it = by_position.find({d.partition, d.offset});
      ASSERT_NE(it, by_position.end()) << "no stored message at " << d.partition << "/" << d.offset;
      EXPECT_EQ(std::stoi(it->second->value) / per_epoch, static_cast<int>(t));
    }
  }
}

TEST_F(KafkaSink, ParallelInstancesEachWriteTheirShareOnceAndTheProbeWaitsForAll) {
  sw::testing::watchdog dog("KafkaSink.Parallel", std::chrono::seconds(60));
  cluster.create_topic("parallel", 3);
  auto [in, values] = g.input<int>("values");
  auto spread = values.exchange([](const int& v) { return static_cast<std::uint64_t>(v); }, 3);
  auto acks = kafka::sink(spread, "to parallel", options_for(cluster, "parallel"), as_message);
  auto durable = acks.probe();
  auto seen = acks.collect("acks");
  auto run = rt.run(g);
  for (int i = 0; i < 6000; ++i) in.send(i);
  in.advance_to(1);
  ASSERT_TRUE(durable.wait_until_complete(0, std::chrono::seconds(30)));
  EXPECT_EQ(cluster.read_all("parallel", 3).size(), 6000u);  // all three instances' records
  in.close();
  run.wait();
  std::multiset<int> stored;
  for (const auto& m : cluster.read_all("parallel", 3)) stored.insert(std::stoi(m.value));
  std::multiset<int> expected;
  for (int v = 0; v < 6000; ++v) expected.insert(v);
  EXPECT_EQ(stored, expected);
  EXPECT_EQ(seen.size(), 6000u);
}

TEST_F(KafkaSink, AProbeAfterTheSinkPassesATimeOnlyOnceItsRecordsAreInTheTopic) {
  sw::testing::watchdog dog("KafkaSink.Probe", std::chrono::seconds(60));
  cluster.create_topic("durable", 2);
  auto [in, values] = g.input<int>("values");
  auto durable = kafka::sink(values, "to durable", options_for(cluster, "durable"), as_message).probe();
  auto run = rt.run(g);
  std::size_t sent = 0;
  for (int e = 0; e < 5; ++e) {
    for (int i = 0; i < 300 * (e + 1); ++i, ++sent) in.send(static_cast<int>(sent));
    in.advance_to(static_cast<sw::timestamp>(e + 1));
    ASSERT_TRUE(durable.wait_until_complete(static_cast<sw::timestamp>(e), std::chrono::seconds(30))) << "epoch " << e;
    // Complete at the probe: every record sent so far is already stored.
    EXPECT_EQ(cluster.read_all("durable", 2).size(), sent) << "epoch " << e;
  }
  in.close();
  run.wait();
  EXPECT_TRUE(durable.done());
}

TEST_F(KafkaSink, RetriableProduceErrorsAreRetriedWithoutDuplicates) {
  sw::testing::watchdog dog("KafkaSink.Retriable", std::chrono::seconds(60));
  cluster.create_topic("retried", 1);
  rd_kafka_mock_push_request_errors(cluster.handle(), produce_api, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  auto [in, values] = g.input<int>("values");
  auto acks = kafka::sink(values, "to retried", options_for(cluster, "retried"), as_message).collect("acks");
  auto run = rt.run(g);
  for (int i = 0; i < 1000; ++i) in.send(i);
  in.close();
  run.wait();
  const auto stored = cluster.read_all("retried", 1);
  ASSERT_EQ(stored.size(), 1000u);
  for (std::size_t i = 0; i < stored.size(); ++i) EXPECT_EQ(stored[i].value, std::to_string(i)) << "offset " << i;
  EXPECT_EQ(acks.size(), 1000u);
}

TEST_F(KafkaSink, AFailedDeliveryStopsTheRunNamingTheOperatorTopicAndError) {
  sw::testing::watchdog dog("KafkaSink.Failure", std::chrono::seconds(60));
  cluster.create_topic("refused", 1);
  std::vector<rd_kafka_resp_err_t> refusals(50, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  rd_kafka_mock_push_request_errors_array(cluster.handle(), produce_api, refusals.size(), refusals.data());
  auto [in, values] = g.input<int>("values");
  auto opts = options_for(cluster, "refused");
  opts.properties.emplace_back("delivery.timeout.ms", "5000");
  auto durable = kafka::sink(values, "to refused", opts, as_message).probe();
  auto run = rt.run(g);
  for (int i = 0; i < 10; ++i) in.send(i);
  in.close();
  try {
    run.wait();
    FAIL() << "the run succeeded although every produce request was refused";
    (void)durable;
  } catch (const sw::operator_error& e) {
    const std::string text = full_message(e);
    EXPECT_EQ(e.node_name(), "to refused");
    EXPECT_NE(text.find("kafka sink 'to refused'"), std::string::npos) << text;
    EXPECT_NE(text.find("topic 'refused'"), std::string::npos) << text;
    EXPECT_NE(text.find("uthorization"), std::string::npos) << text;
  }
}

TEST_F(KafkaSink, AFullProducerQueueHoldsInputBackAndLosesNothing) {
  sw::testing::watchdog dog("KafkaSink.QueueFull", std::chrono::seconds(60));
  cluster.create_topic("narrow", 1);
  auto [in, values] = g.input<int>("values");
  auto opts = options_for(cluster, "narrow");
  opts.properties.emplace_back("queue.buffering.max.messages", "8");
  auto acks = kafka::sink(values, "to narrow", opts, [](const int& v) {
                return kafka::message{.key = std::nullopt, .value = std::to_string(v), .partition = 0};
              }).collect("acks");
  auto run = rt.run(g);
  constexpr int n = 3000;
  for (int i = 0; i < n; ++i) {
    in.send(i);
    if (i % 500 == 499) in.advance_to(static_cast<sw::timestamp>(i / 500 + 1));
  }
  in.close();
  run.wait();
  const auto stored = cluster.read_all("narrow", 1);
  ASSERT_EQ(stored.size(), std::size_t{n});
  for (int i = 0; i < n; ++i) EXPECT_EQ(stored[static_cast<std::size_t>(i)].value, std::to_string(i)) << "offset " << i;
  EXPECT_EQ(acks.size(), std::size_t{n});
}

TEST_F(KafkaSink, ASerializerThatThrowsStopsTheRunWithItsException) {
  sw::testing::watchdog dog("KafkaSink.SerializerThrows", std::chrono::seconds(60));
  cluster.create_topic("thrown", 1);
  auto [in, values] = g.input<int>("values");
  auto durable = kafka::sink(values, "to thrown", options_for(cluster, "thrown"), [](const int& v) {
                   if (v == 500) throw std::runtime_error("cannot serialize 500");
                   return as_message(v);
                 }).probe();
  auto run = rt.run(g);
  try {
    for (int i = 0; i < 1000; ++i) in.send(i);
    in.close();
  } catch (const sw::cancelled_error&) {  // the run may stop while this thread still sends
  }
  try {
    run.wait();
    FAIL() << "the run succeeded although the serializer threw";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "to thrown");
    EXPECT_NE(full_message(e).find("cannot serialize 500"), std::string::npos) << full_message(e);
  }
  EXPECT_FALSE(durable.done());
}

TEST_F(KafkaSink, ABadClientPropertyStopsTheRunWithAUsageErrorNamingTheOperatorAndTheProperty) {
  auto [in, values] = g.input<int>("values");
  auto opts = options_for(cluster, "any");
  opts.properties.emplace_back("no.such.property", "1");
  auto durable = kafka::sink(values, "to any", opts, as_message).probe();
  try {
    auto run = rt.run(g);
    in.close();
    run.wait();
    FAIL() << "a run started with an unknown client property";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "to any");
    try {
      std::rethrow_if_nested(e);
      FAIL() << "nothing nested in " << e.what();
    } catch (const sw::usage_error& inner) {
      const std::string text = inner.what();
      EXPECT_NE(text.find("kafka sink 'to any'"), std::string::npos) << text;
      EXPECT_NE(text.find("'no.such.property'"), std::string::npos) << text;
    }
  }
}

TEST(KafkaSinkOptions, AnEmptyTopicOrPollIntervalIsRejectedWhenTheGraphIsBuilt) {
  sw::graph g("kafka sink options");
  auto [in, values] = g.input<int>("values");
  kafka::sink_options no_topic;
  EXPECT_THROW((void)kafka::sink(values, "no topic", no_topic, as_message), sw::usage_error);
  kafka::sink_options no_interval;
  no_interval.topic = "t";
  no_interval.poll_interval = std::chrono::milliseconds(0);
  EXPECT_THROW((void)kafka::sink(values, "no interval", no_interval, as_message), sw::usage_error);
  in.close();
}

TEST_F(KafkaSink, CancellingARunWithMessagesInFlightEndsPromptly) {
  sw::testing::watchdog dog("KafkaSink.Cancel", std::chrono::seconds(60));
  cluster.create_topic("cancelled", 2);
  rd_kafka_mock_broker_set_rtt(cluster.handle(), 1, 200);  // acknowledgements take a while
  auto [in, values] = g.input<int>("values");
  auto durable = kafka::sink(values, "to cancelled", options_for(cluster, "cancelled"), as_message).probe();
  auto run = rt.run(g);
  for (int i = 0; i < 2000; ++i) in.send(i);
  run.cancel();
  EXPECT_THROW(run.wait(), sw::cancelled_error);
}

}  // namespace
