// kafka::source against librdkafka's mock cluster: what arrives through a windowed count equals
// a sequential oracle, offsets are committed only for complete times and all of them at the
// end, and a message that fails to deserialize fails the run or becomes a dead letter.
#include <streamweave/kafka/source.hpp>
#include <streamweave/streamweave.hpp>

#include "kafka/mock_cluster.hpp"
#include "support/seed.hpp"
#include "support/watchdog.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace sw = streamweave;
namespace kafka = streamweave::kafka;
using streamweave::testing::mock_cluster;

namespace {

struct click {
  int user = 0;
  sw::timestamp ms = 0;
};

click parse_click(const kafka::consumed& m) {
  std::size_t used = 0;
  const std::string text(m.value);
  const int user = std::stoi(text, &used);
  if (used != text.size()) throw std::invalid_argument("trailing characters in '" + text + "'");
  return {user, static_cast<sw::timestamp>(m.timestamp_ms)};
}

sw::runtime_options two_threads() {
  sw::runtime_options o;
  o.threads = 2;
  return o;
}

class KafkaSource : public ::testing::Test {
 protected:
  kafka::source_options options_for(const std::string& topic) const {
    kafka::source_options o;
    o.topic = topic;
    o.group_id = "group-" + topic;
    o.properties = {{"bootstrap.servers", cluster.bootstraps()}};
    return o;
  }
  /// Waits until `src` has handed `n` messages to the graph.
  static bool wait_read(const kafka::source<click>& src, std::uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (src.records_read() < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }
  mock_cluster cluster;
  sw::runtime rt{two_threads()};
  sw::graph g{"kafka source"};
};

TEST_F(KafkaSource, AWindowedCountOverEightPartitionsEqualsTheSequentialOracle) {
  sw::testing::watchdog dog("KafkaSource.Oracle", std::chrono::seconds(110));
  const std::uint64_t seed = sw::testing::seed_for(0);
  SCOPED_TRACE("seed " + std::to_string(seed) + " (STREAMWEAVE_SEED to replay)");
  std::mt19937_64 rng(seed);
  constexpr int n = 100'000, partitions = 8, users = 13;
  constexpr sw::timestamp disorder = 40, window_ms = 250, base = 1'700'000'000'000;
  cluster.create_topic("clicks", partitions);
  std::vector<mock_cluster::outgoing> out;
  std::map<std::tuple<int, sw::timestamp>, std::size_t> oracle;  // (user, window start) -> count
  for (int i = 0; i < n; ++i) {
    const int user = static_cast<int>(rng() % users);
    // Event times rise by about 1 ms per message; each is up to `disorder` ms early.
    const sw::timestamp t = base + static_cast<sw::timestamp>(i) / 4 + 200 - rng() % (disorder + 1);
    out.push_back({static_cast<std::int32_t>(rng() % partitions), "u" + std::to_string(user), std::to_string(user),
                   static_cast<std::int64_t>(t)});
    ++oracle[{user, t - t % window_ms}];
  }
  cluster.produce_all("clicks", out);

  auto o = options_for("clicks");
  o.max_disorder = 2 * disorder;  // a partition's records are at most `disorder` apart, plus rounding
  o.idle_timeout = std::chrono::seconds(20);
  kafka::source<click> src(g, "clicks", o, parse_click);
  auto counts = src.records()
                    .key_by([](const click& c) { return c.user; }, 2)
                    .window(sw::tumbling_windows(window_ms), [](const click& c) { return c.ms; })
                    .count("per window");
  auto rows = counts.output.collect("rows");
  auto late = counts.late.collect("late");
  auto dead = src.dead_letters().collect("dead");
  src.commit_when_complete(counts.output.probe());
  auto run = rt.run(g);
  src.start();
  ASSERT_TRUE(wait_read(src, n)) << "read " << src.records_read() << " of " << n;
  src.stop();
  run.wait();
  src.close();

  std::map<std::tuple<int, sw::timestamp>, std::size_t> got;
  for (const auto& r : rows.records()) got[{r.key, r.window.start}] += r.value;
  EXPECT_EQ(late.size(), 0u);
  EXPECT_EQ(dead.size(), 0u);
  EXPECT_EQ(got, oracle);

  // Every offset is committed at the end: a new member of the group reads nothing.
  std::map<std::int32_t, std::int64_t> high;
  for (const auto& m : cluster.read_all("clicks", partitions)) high[m.partition] = std::max(high[m.partition], m.offset + 1);
  std::map<std::int32_t, std::int64_t> committed;
  for (const auto& c : src.last_commits()) committed[c.partition] = c.next_offset;
  EXPECT_EQ(committed, high);
}

TEST_F(KafkaSource, OffsetsAreCommittedOnlyOnceTheirRecordsAreCompleteAtTheProbe) {
  sw::testing::watchdog dog("KafkaSource.Commit", std::chrono::seconds(60));
  constexpr int n = 1000;
  cluster.create_topic("commits", 1);
  std::vector<mock_cluster::outgoing> out;
  for (int i = 0; i < n; ++i) out.push_back({0, "k", std::to_string(i), 1000 + i});
  cluster.produce_all("commits", out);
  auto o = options_for("commits");
  o.commit_interval = std::chrono::milliseconds(20);
  o.idle_timeout = std::chrono::seconds(30);
  kafka::source<click> src(g, "commits", o, parse_click);
  std::atomic<bool> hold{true};
  auto processed = src.records().inspect([&](const click&) {
    while (hold.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  auto sink = processed.collect("processed");
  src.commit_when_complete(processed.probe());
  (void)src.dead_letters().probe();
  auto run = rt.run(g);
  src.start();
  const std::int64_t none = cluster.committed(o.group_id, "commits", 1).at(0);
  ASSERT_TRUE(wait_read(src, 1));  // the group has formed and records are in the graph
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // 25 commit intervals, records stuck
  EXPECT_EQ(cluster.committed(o.group_id, "commits", 1).at(0), none) << "committed records nobody processed";
  hold = false;
  ASSERT_TRUE(wait_read(src, n));
  // Every record is processed, but the last one's time is the input's time, not complete yet:
  // everything before it is committed, and it is not.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (cluster.committed(o.group_id, "commits", 1).at(0) != n - 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(cluster.committed(o.group_id, "commits", 1).at(0), n - 1);
  src.stop();
  run.wait();
  src.close();
  EXPECT_EQ(cluster.committed(o.group_id, "commits", 1).at(0), n);
  EXPECT_EQ(sink.size(), std::size_t{n});
}

TEST_F(KafkaSource, AMessageThatFailsToDeserializeFailsTheRunNamingItsPosition) {
  sw::testing::watchdog dog("KafkaSource.Poison", std::chrono::seconds(60));
  cluster.create_topic("poison", 1);
  std::vector<mock_cluster::outgoing> out;
  for (int i = 0; i < 100; ++i) out.push_back({0, "k", i == 42 ? "4x2" : std::to_string(i), 1000 + i});
  cluster.produce_all("poison", out);
  kafka::source<click> src(g, "poison", options_for("poison"), parse_click);
  auto done = src.records().probe();
  auto dead = src.dead_letters().probe();
  auto run = rt.run(g);
  src.start();
  try {
    run.wait();
    FAIL() << "the run succeeded with a message that cannot be deserialized";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "poison records");
    try {
      std::rethrow_if_nested(e);
    } catch (const kafka::kafka_error& inner) {
      const std::string text = inner.what();
      EXPECT_NE(text.find("topic 'poison' partition 0 offset 42"), std::string::npos) << text;
      EXPECT_NE(text.find("trailing characters in '4x2'"), std::string::npos) << text;
    }
  }
  src.stop();
}

TEST_F(KafkaSource, ADeadLetterPolicySendsTheMessageAsideWithItsBytesAndPosition) {
  sw::testing::watchdog dog("KafkaSource.DeadLetter", std::chrono::seconds(60));
  cluster.create_topic("letters", 2);
  std::vector<mock_cluster::outgoing> out;
  for (int i = 0; i < 200; ++i) out.push_back({i % 2, "k" + std::to_string(i), i % 50 == 7 ? "bad" + std::to_string(i) : std::to_string(i), 1000 + i});
  cluster.produce_all("letters", out);
  auto o = options_for("letters");
  o.on_bad_message = kafka::bad_message::dead_letter;
  kafka::source<click> src(g, "letters", o, parse_click);
  auto good = src.records().collect("good");
  auto dead = src.dead_letters().collect("dead");
  src.commit_when_complete(src.records().probe());
  auto run = rt.run(g);
  src.start();
  ASSERT_TRUE(wait_read(src, 200));
  src.stop();
  run.wait();
  src.close();
  EXPECT_EQ(good.size(), 196u);
  const auto letters = dead.records();
  ASSERT_EQ(letters.size(), 4u);
  for (const kafka::dead_letter& d : letters) {
    EXPECT_EQ(d.topic, "letters");
    EXPECT_EQ(d.value.substr(0, 3), "bad");
    const int i = std::stoi(d.value.substr(3));
    EXPECT_EQ(d.partition, i % 2);
    EXPECT_EQ(d.offset, i / 2);  // the i-th message overall is the (i/2)-th of its partition
    EXPECT_EQ(d.key, "k" + std::to_string(i));
    EXPECT_FALSE(d.error.empty());
  }
  std::map<std::int32_t, std::int64_t> committed;
  for (const auto& c : src.last_commits()) committed[c.partition] = c.next_offset;
  EXPECT_EQ(committed, (std::map<std::int32_t, std::int64_t>{{0, 100}, {1, 100}}));  // dead letters count as read
}

TEST_F(KafkaSource, TheObserversHearAssignmentsAcknowledgedCommitsAndRevocations) {
  sw::testing::watchdog dog("KafkaSource.Observers", std::chrono::seconds(60));
  cluster.create_topic("watched", 2);
  std::vector<mock_cluster::outgoing> out;
  for (int i = 0; i < 100; ++i) out.push_back({i % 2, "k", std::to_string(i), 1000 + i});
  cluster.produce_all("watched", out);
  auto o = options_for("watched");
  o.commit_interval = std::chrono::milliseconds(20);
  std::mutex m;  // the observers run on the consumer thread, then on this one in close()
  std::set<std::int32_t> assigned, revoked;
  std::map<std::int32_t, std::int64_t> acknowledged;
  std::vector<std::thread::id> assigning_threads;
  o.on_assigned = [&](std::span<const std::int32_t> ps) {
    const std::lock_guard lock(m);
    assigned.insert(ps.begin(), ps.end());
    assigning_threads.push_back(std::this_thread::get_id());
  };
  o.on_revoked = [&](std::span<const std::int32_t> ps) {
    const std::lock_guard lock(m);
    revoked.insert(ps.begin(), ps.end());
  };
  o.on_committed = [&](std::span<const kafka::partition_offset> cs) {
    const std::lock_guard lock(m);
    for (const auto& c : cs) {
      EXPECT_GE(c.next_offset, acknowledged[c.partition]) << "commits go backwards";
      acknowledged[c.partition] = c.next_offset;
    }
  };
  kafka::source<click> src(g, "watched", o, parse_click);
  src.commit_when_complete(src.records().probe());
  (void)src.dead_letters().probe();
  auto run = rt.run(g);
  src.start();
  ASSERT_TRUE(wait_read(src, 100));
  src.stop();
  run.wait();
  {
    const std::lock_guard lock(m);
    EXPECT_TRUE(revoked.empty()) << "nothing is revoked before close()";
  }
  src.close();
  EXPECT_EQ(assigned, (std::set<std::int32_t>{0, 1}));
  EXPECT_EQ(revoked, (std::set<std::int32_t>{0, 1})) << "leaving the group revokes both";
  ASSERT_FALSE(assigning_threads.empty());
  for (const auto& id : assigning_threads) EXPECT_NE(id, std::this_thread::get_id()) << "assigned on the consumer thread";
  // What the observer heard is what the cluster stored.
  const auto stored = cluster.committed(o.group_id, "watched", 2);
  EXPECT_EQ(acknowledged, (std::map<std::int32_t, std::int64_t>{{0, stored[0]}, {1, stored[1]}}));
  EXPECT_EQ(stored, (std::vector<std::int64_t>{50, 50}));
}

TEST_F(KafkaSource, AnObserverThatThrowsStopsTheReadingAndComesOutOfStop) {
  sw::testing::watchdog dog("KafkaSource.ThrowingObserver", std::chrono::seconds(60));
  cluster.create_topic("throwing", 1);
  cluster.produce_all("throwing", {{0, "k", "1", 1000}});
  auto o = options_for("throwing");
  std::atomic<bool> thrown{false};
  o.on_assigned = [&](std::span<const std::int32_t>) {
    thrown = true;
    throw std::runtime_error("observer refused the assignment");
  };
  kafka::source<click> src(g, "throwing", o, parse_click);
  auto got = src.records().collect("got");
  (void)src.dead_letters().probe();
  auto run = rt.run(g);
  src.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!thrown && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(thrown) << "never assigned";
  try {  // the consumer thread ends at the throw; stop() reports it
    src.stop();
    FAIL() << "stop() did not report the observer's exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "observer refused the assignment");
  }
  run.wait();
  EXPECT_EQ(got.size(), 0u) << "nothing is read after the observer threw";
}

constexpr std::int16_t fetch_api = 1, heartbeat_api = 12;  // Kafka protocol request types

TEST_F(KafkaSource, RetriableFetchErrorsAreSurvivedWithoutLossOrDuplicates) {
  sw::testing::watchdog dog("KafkaSource.RetriableFetch", std::chrono::seconds(90));
  constexpr int n = 2000;
  cluster.create_topic("flaky", 2);
  std::vector<mock_cluster::outgoing> out;
  for (int i = 0; i < n; ++i) out.push_back({i % 2, "k", std::to_string(i), 1000 + i});
  cluster.produce_all("flaky", out);
  // The first fetches of broker 1 (the only one) fail, each with a retriable error.
  ASSERT_EQ(rd_kafka_mock_broker_push_request_error_rtts(
                cluster.handle(), 1, fetch_api, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 0,
                RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 0, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, 0, RD_KAFKA_RESP_ERR__TRANSPORT, 0),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  auto o = options_for("flaky");
  kafka::source<click> src(g, "flaky", o, parse_click);
  auto got = src.records().collect("got");
  src.commit_when_complete(src.records().probe());
  (void)src.dead_letters().probe();
  auto run = rt.run(g);
  src.start();
  ASSERT_TRUE(wait_read(src, n)) << "read " << src.records_read() << " of " << n;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // room for a duplicate to show up
  src.stop();
  run.wait();
  src.close();
  std::size_t left = 99;
  ASSERT_EQ(rd_kafka_mock_broker_error_stack_cnt(cluster.handle(), 1, fetch_api, &left), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(left, 0u) << "the injected fetch errors were not all hit";
  std::map<int, int> times;
  for (const click& c : got.records()) ++times[static_cast<int>(c.ms - 1000)];
  EXPECT_EQ(times.size(), std::size_t{n}) << "messages lost";
  for (const auto& [i, k] : times) EXPECT_EQ(k, 1) << "message " << i << " read " << k << " times";
  EXPECT_EQ(cluster.committed(o.group_id, "flaky", 2), (std::vector<std::int64_t>{n / 2, n / 2}));
}

TEST_F(KafkaSource, AFatalConsumerErrorComesOutOfStopNamingTheSourceAndTopic) {
  sw::testing::watchdog dog("KafkaSource.FatalFetch", std::chrono::seconds(90));
  cluster.create_topic("fenced", 1);
  cluster.produce_all("fenced", {{0, "k", "1", 1000}});
  auto o = options_for("fenced");
  o.properties.emplace_back("group.instance.id", "member-1");  // static membership: fencing is fatal
  kafka::source<click> src(g, "fenced", o, parse_click);
  (void)src.records().probe();
  (void)src.dead_letters().probe();
  auto run = rt.run(g);
  src.start();
  ASSERT_TRUE(wait_read(src, 1));  // in the group
  // Another member with the same instance id took over: the coordinator fences this one.
  std::vector<rd_kafka_resp_err_t> fenced(20, RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID);
  rd_kafka_mock_push_request_errors_array(cluster.handle(), heartbeat_api, fenced.size(), fenced.data());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (src.reading() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_FALSE(src.reading()) << "the consumer thread went on after being fenced";
  std::string text;
  try {
    src.stop();
    FAIL() << "stop() did not report the fatal error";
  } catch (const kafka::kafka_error& e) {
    text = e.what();
  }
  EXPECT_NE(text.find("kafka source 'fenced'"), std::string::npos) << text;
  EXPECT_NE(text.find("topic 'fenced'"), std::string::npos) << text;
  EXPECT_NE(text.find("ence"), std::string::npos) << text;  // fenced / Fenced
  run.wait();
}

TEST_F(KafkaSource, BadOptionsAreUsageErrorsNamingTheSource) {
  cluster.create_topic("opts", 1);
  auto no_group = options_for("opts");
  no_group.group_id.clear();
  EXPECT_THROW(kafka::source<click>(g, "no group", no_group, parse_click), sw::usage_error);
  auto no_topic = options_for("opts");
  no_topic.topic.clear();
  EXPECT_THROW(kafka::source<click>(g, "no topic", no_topic, parse_click), sw::usage_error);
  auto bad_property = options_for("opts");
  bad_property.properties.emplace_back("no.such.property", "1");
  try {
    kafka::source<click> src(g, "bad property", bad_property, parse_click);
    FAIL() << "an unknown property was accepted";
  } catch (const sw::usage_error& e) {
    EXPECT_NE(std::string(e.what()).find("kafka source 'bad property'"), std::string::npos) << e.what();
  }
}

}  // namespace
