// execution::metrics(): the counters equal the exact record and batch counts of known graphs,
// the times add up, `runtime_options::metrics = false` turns the counters off, and an outside
// thread may read snapshots while the graph runs (run under TSan: label concurrency).
#include <streamweave/streamweave.hpp>

#include "support/passthrough.hpp"
#include "support/seed.hpp"
#include "support/sequences.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {

std::string describe(const sw::metrics_snapshot& s) {
  std::string out;
  for (const auto& m : s.instances)
    out += m.node + "#" + std::to_string(m.instance) + " unit=" + m.unit + (m.fused ? " fused" : "") +
           " in=" + std::to_string(m.records_in) + "/" + std::to_string(m.batches_in) +
           " out=" + std::to_string(m.records_out) + "/" + std::to_string(m.batches_out) +
           " act=" + std::to_string(m.activations) + "\n";
  return out;
}

/// Sums of one node's instances.
struct node_totals {
  std::uint64_t records_in = 0, batches_in = 0, records_out = 0, batches_out = 0, activations = 0;
  std::size_t instances = 0;
};

std::map<std::string, node_totals> totals(const sw::metrics_snapshot& s) {
  std::map<std::string, node_totals> out;
  for (const auto& m : s.instances) {
    auto& t = out[m.node];
    t.records_in += m.records_in;
    t.batches_in += m.batches_in;
    t.records_out += m.records_out;
    t.batches_out += m.batches_out;
    t.activations += m.activations;
    ++t.instances;
  }
  return out;
}

/// numbers -> double -> (new chain) keep -> exchange over 2 instances -> sink. The source and
/// `double` form one chain node, named after its last operator: "double".
void build_known_graph(sw::graph& g, int n, std::atomic<long>& seen) {
  g.source_from("numbers", sw::testing::iota_vec(n))
      .map([](int x) { return 2 * x; }, "double")
      .start_new_chain()
      .filter([](int x) { return x % 3 == 0; }, "keep")
      .exchange([](int x) { return x; }, 2)
      .for_each([&](int) { seen.fetch_add(1); }, "sink");
}

}  // namespace

TEST(Metrics, CountersEqualTheRecordsOfAKnownGraph) {
  constexpr int n = 10'000;
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 64});
  sw::graph g;
  std::atomic<long> seen{0};
  build_known_graph(g, n, seen);
  auto ex = rt.run(g);
  ex.wait();
  long kept = 0;
  for (int x = 0; x < n; ++x) kept += (2 * x) % 3 == 0;
  ASSERT_EQ(seen.load(), kept);

  const sw::metrics_snapshot s = ex.metrics();
  SCOPED_TRACE(describe(s));
  EXPECT_TRUE(s.enabled);
  const auto t = totals(s);
  ASSERT_EQ(t.count("double"), 1u);
  ASSERT_EQ(t.count("keep"), 1u);
  ASSERT_EQ(t.count("sink"), 1u);
  EXPECT_EQ(t.at("sink").instances, 2u);
  // "double" (source and map) generates its records; keep starts a new chain, fed through a queue.
  EXPECT_EQ(t.at("double").records_in, 0u);
  EXPECT_EQ(t.at("double").records_out, static_cast<std::uint64_t>(n));
  EXPECT_EQ(t.at("keep").records_in, static_cast<std::uint64_t>(n));
  EXPECT_EQ(t.at("keep").batches_in, t.at("double").batches_out) << "a queue edge loses no batch";
  EXPECT_EQ(t.at("keep").records_out, static_cast<std::uint64_t>(kept));
  EXPECT_EQ(t.at("sink").records_in, static_cast<std::uint64_t>(kept));
  EXPECT_EQ(t.at("sink").records_out, 0u);
  EXPECT_GE(t.at("double").batches_out, static_cast<std::uint64_t>(n / 64)) << "batches hold at most batch_size";

  const sw::timestamp empty = ~sw::timestamp{0};
  for (const auto& m : s.instances) {
    SCOPED_TRACE(m.node + "#" + std::to_string(m.instance));
    if (m.fused) {
      EXPECT_EQ(m.activations, 0u);
      EXPECT_EQ(m.busy.count(), 0);
      EXPECT_NE(m.unit, m.node);
    } else {
      EXPECT_EQ(m.unit, m.node);
      EXPECT_GT(m.activations, 0u);
      EXPECT_GT(m.busy.count(), 0);
      EXPECT_EQ((m.busy + m.backpressured + m.idle).count(), s.uptime.count()) << "the three times add up";
    }
    for (const auto& p : m.inputs) {
      EXPECT_EQ(p.frontier, empty) << "a completed run's frontiers are empty";
      EXPECT_EQ(p.depth, 0u);
      if (p.queued) {
        EXPECT_GT(p.max_depth, 0u);
        EXPECT_GT(p.capacity, 0u);
      }
    }
  }
  const sw::metrics_snapshot later = ex.metrics();
  EXPECT_EQ(later.uptime, s.uptime) << "the uptime of an ended run stops at its end";
}

// A chain after a generic operator is fused into the operator's unit: it counts its own
// records, and its activations and times are reported on the unit's head.
TEST(Metrics, FusedInstanceCountsItsRecordsAndNamesItsUnit) {
  constexpr int n = 5000;
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 100});
  sw::graph g;
  std::atomic<long> seen{0};
  sw::testing::passthrough<int>(g.source_from("numbers", sw::testing::iota_vec(n)).start_new_chain(), "generic")
      .filter([](int x) { return x % 2 == 0; }, "evens")
      .for_each([&](int) { seen.fetch_add(1); }, "sink");
  auto ex = rt.run(g);
  ex.wait();
  ASSERT_EQ(seen.load(), n / 2);
  const auto s = ex.metrics();
  SCOPED_TRACE(describe(s));
  const sw::instance_metrics* generic = nullptr;
  const sw::instance_metrics* sink = nullptr;
  for (const auto& m : s.instances) {
    if (m.node == "generic") generic = &m;
    if (m.node == "sink") sink = &m;
  }
  ASSERT_NE(generic, nullptr);
  ASSERT_NE(sink, nullptr);
  EXPECT_FALSE(generic->fused);
  EXPECT_EQ(generic->records_in, static_cast<std::uint64_t>(n));
  EXPECT_EQ(generic->records_out, static_cast<std::uint64_t>(n));
  EXPECT_GT(generic->activations, 0u);
  EXPECT_TRUE(sink->fused);
  EXPECT_EQ(sink->unit, "generic");
  EXPECT_EQ(sink->records_in, static_cast<std::uint64_t>(n));
  EXPECT_EQ(sink->batches_in, generic->batches_out) << "every emitted batch reaches the fused chain";
  EXPECT_EQ(sink->activations, 0u);
  EXPECT_EQ(sink->busy.count() + sink->idle.count(), 0);
  ASSERT_EQ(sink->inputs.size(), 1u);
  EXPECT_FALSE(sink->inputs[0].queued);
}

namespace {

/// What one instance's output port holds, as the snapshot reports it.
struct held_view {
  std::int64_t capabilities = 0;
  std::size_t times = 0;
  sw::timestamp earliest = ~sw::timestamp{0};
  std::vector<std::pair<sw::timestamp, std::int64_t>> held;
  friend bool operator==(const held_view&, const held_view&) = default;
};

std::string describe(const std::vector<held_view>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    out += "#" + std::to_string(i) + ": " + std::to_string(v[i].capabilities) + " in " + std::to_string(v[i].times) +
           " times, earliest " + std::to_string(v[i].earliest) + ", held";
    for (const auto& [t, c] : v[i].held) out += " " + std::to_string(t) + "x" + std::to_string(c);
    out += "\n";
  }
  return out;
}

/// The snapshot's view of node `node`'s output 0, per instance.
std::vector<held_view> held_of(const sw::metrics_snapshot& s, const std::string& node) {
  std::vector<held_view> out;
  for (const auto& m : s.instances) {
    if (m.node != node) continue;
    held_view v;
    if (m.outputs.size() != 1) return {};  // reported as a mismatch
    const auto& o = m.outputs[0];
    v.capabilities = o.capabilities;
    v.times = o.times;
    v.earliest = o.earliest;
    for (const auto& h : o.held) v.held.emplace_back(h.time, h.count);
    out.push_back(v);
  }
  return out;
}

/// The oracle: the view of an instance that holds one capability at each of `times`.
held_view expected_view(const std::multiset<sw::timestamp>& times) {
  held_view v;
  v.capabilities = static_cast<std::int64_t>(times.size());
  for (sw::timestamp t : times) {
    if (!v.held.empty() && v.held.back().first == t) {
      ++v.held.back().second;
      continue;
    }
    ++v.times;
    if (v.held.size() < sw::output_port_metrics::held_limit) v.held.emplace_back(t, 1);
  }
  if (!times.empty()) v.earliest = *times.begin();
  return v;
}

}  // namespace

// Each instance of an operator reports the capabilities it keeps: its initial one, copies at
// times taken from the records (a time held twice counts twice, at most `held_limit` times
// listed), and none once it drops them. The oracle is what each instance's body says it keeps.
TEST(Metrics, CapabilitiesHeldAreTheOnesEachInstanceKeeps) {
  for (std::uint64_t seed : sw::testing::seeds(9500, 4)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    sw::runtime rt(sw::runtime_options{.threads = 1 + rng() % 2, .batch_size = 1 + rng() % 8});
    sw::graph g;
    auto [in, s] = g.input<int>("in");
    std::mutex mutex;
    std::vector<std::multiset<sw::timestamp>> kept(2);  // the oracle, per instance
    std::size_t taken = 0;                              // records the bodies have seen
    bool dropped = false;                               // an instance dropped what it held
    s.exchange([](int v) { return v; }, 2)
        .unary<int>("hold", [&](sw::operator_setup& setup) {
          const std::size_t index = setup.instance_index();
          {
            std::lock_guard lock(mutex);
            kept[index].insert(0);
          }
          return [&, index, caps = std::vector<sw::capability>{setup.initial_capability()}](
                     sw::unary_context<int, int>& ctx) mutable {
            ctx.input.for_each([&](sw::input_batch<int>& b) {
              for (int v : b.records()) {
                caps.push_back(b.retain().delayed(static_cast<sw::timestamp>(v)));
                std::lock_guard lock(mutex);
                kept[index].insert(static_cast<sw::timestamp>(v));
                ++taken;
              }
            });
            if (ctx.input.done() && !caps.empty()) {
              caps.clear();
              std::lock_guard lock(mutex);
              kept[index].clear();
              dropped = true;
            }
          };
        })
        .for_each([](int) {}, "after hold");
    auto ex = rt.run(g);
    auto expected = [&] {
      std::lock_guard lock(mutex);
      return std::vector<held_view>{expected_view(kept[0]), expected_view(kept[1])};
    };
    // Once the bodies have seen `records` records (and, with `all_dropped`, both dropped what
    // they held), and the activations that did so have ended, the snapshot shows the oracle's
    // view: poll for it, then compare (a timeout prints both).
    auto agrees = [&](std::size_t records, bool all_dropped) {
      auto settled = [&] {
        std::lock_guard lock(mutex);
        return taken == records && (!all_dropped || (dropped && kept[0].empty() && kept[1].empty()));
      };
      for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;
           std::this_thread::sleep_for(1ms))
        if (settled() && held_of(ex.metrics(), "hold") == expected()) break;
      const auto seen = held_of(ex.metrics(), "hold");
      const auto want = expected();
      EXPECT_EQ(seen, want) << "snapshot:\n" << describe(seen) << "oracle:\n" << describe(want);
      return seen == want;
    };
    ASSERT_TRUE(agrees(0, false)) << "the initial capabilities";
    const int records = 10 + static_cast<int>(rng() % 40);  // enough for more than held_limit times
    for (int i = 0; i < records; ++i) in.send(static_cast<int>(rng() % 30));
    in.advance_to(5);
    in.send(5);
    in.send(5);
    in.flush();
    ASSERT_TRUE(agrees(static_cast<std::size_t>(records) + 2, false)) << "after " << records + 2 << " records";
    in.close();
    ex.wait();
    ASSERT_TRUE(agrees(static_cast<std::size_t>(records) + 2, true)) << "after the input closed";
    for (const auto& v : held_of(ex.metrics(), "hold")) EXPECT_EQ(v.earliest, ~sw::timestamp{0});
  }
}

TEST(Metrics, OffMeansZeroCountersAndTheSameResult) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 64, .metrics = false});
  sw::graph g;
  std::atomic<long> seen{0};
  build_known_graph(g, 3000, seen);
  auto ex = rt.run(g);
  ex.wait();
  EXPECT_EQ(seen.load(), 1000);
  const auto s = ex.metrics();
  EXPECT_FALSE(s.enabled);
  ASSERT_FALSE(s.instances.empty());
  for (const auto& m : s.instances) {
    EXPECT_EQ(m.records_in + m.records_out + m.batches_in + m.batches_out + m.activations, 0u) << m.node;
    EXPECT_EQ(m.busy.count() + m.backpressured.count(), 0) << m.node;
    EXPECT_TRUE(m.outputs.empty()) << m.node << ": capabilities are not tracked";
  }
}

TEST(Metrics, InputHandleCountsWhatItSent) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 10});
  sw::graph g;
  auto [in, s] = g.input<int>("feed");
  std::atomic<int> seen{0};
  s.map([](int v) { return v + 1; }, "inc").for_each([&](int) { seen.fetch_add(1); }, "sink");
  auto ex = rt.run(g);
  for (int i = 0; i < 95; ++i) in.send(i);
  auto mid = ex.metrics();
  ASSERT_EQ(mid.inputs.size(), 1u);
  EXPECT_EQ(mid.inputs[0].node, "feed");
  EXPECT_EQ(mid.inputs[0].records_sent, 90u) << "five records are still staged";
  EXPECT_EQ(mid.inputs[0].batches_sent, 9u);
  EXPECT_FALSE(mid.inputs[0].closed);
  in.advance_to(7);
  in.close();
  ex.wait();
  const auto end = ex.metrics();
  EXPECT_EQ(end.inputs[0].records_sent, 95u);
  EXPECT_EQ(end.inputs[0].batches_sent, 10u);
  EXPECT_EQ(end.inputs[0].time, 7u);
  EXPECT_TRUE(end.inputs[0].closed);
  const auto t = totals(end);
  EXPECT_EQ(t.at("sink").records_in, 95u);
}

// A sink slower than its producer, behind a one-batch queue: the producer's unit waits for
// room, and that time is counted as back-pressure, not idle.
TEST(Metrics, SlowConsumerShowsAsBackpressureUpstream) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 16, .queue_capacity = 1});
  sw::graph g;
  g.source_from("numbers", sw::testing::iota_vec(2000))
      .map([](int x) { return x; }, "pass")
      .start_new_chain()
      .for_each([](int) { std::this_thread::sleep_for(20us); }, "slow");
  auto ex = rt.run(g);
  ex.wait();
  const auto s = ex.metrics();
  SCOPED_TRACE(describe(s));
  bool found = false;
  for (const auto& m : s.instances)
    if (m.node == "pass") {  // the source's chain, named after its last operator
      found = true;
      EXPECT_GT(m.backpressured.count(), 0);
    } else if (m.node == "slow") {
      EXPECT_EQ(m.inputs.at(0).max_depth, 1u) << "a one-batch queue";
      EXPECT_GT(m.busy, 20ms) << "2000 records of 20 us each";
    }
  EXPECT_TRUE(found);
}

// Snapshots (and their exports, and DOT of the execution) from an outside thread while two
// threads send and the graph runs: counters never go backwards, and the last snapshot is exact. Seeded; replay with STREAMWEAVE_SEED.
TEST(Metrics, ReadWhileTheGraphRuns) {
  for (std::uint64_t seed : sw::testing::seeds(9400, 6)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    sw::runtime_options o;
    o.threads = 1 + rng() % 3;
    o.batch_size = 1 + rng() % 100;
    o.queue_capacity = 1 + rng() % 8;
    sw::runtime rt(o);
    sw::graph g;
    auto [in, s] = g.input<int>("in");
    std::atomic<long> seen{0};
    s.map([](int v) { return v; }, "id")
        .start_new_chain()
        .exchange([](int v) { return v; }, 1 + rng() % 3)
        .for_each([&](int) { seen.fetch_add(1); }, "sink");
    auto ex = rt.run(g);
    std::atomic<bool> stop{false};
    std::uint64_t last_sink_in = 0, last_sent = 0;
    std::thread reader([&] {
      while (!stop.load()) {
        const auto snap = ex.metrics();
        std::uint64_t sink_in = 0;
        for (const auto& m : snap.instances)
          if (m.node == "sink") sink_in += m.records_in;
        EXPECT_GE(sink_in, last_sink_in);
        EXPECT_GE(snap.inputs.at(0).records_sent, last_sent);
        last_sink_in = sink_in;
        last_sent = snap.inputs.at(0).records_sent;
        (void)sw::to_prometheus_text(snap);
        (void)sw::to_json(snap);
        (void)sw::to_dot(ex);
      }
    });
    const int per_sender = 2000 + static_cast<int>(rng() % 3000);
    auto send = [&, h = in]() mutable {
      for (int i = 0; i < per_sender; ++i) h.send(i);
    };
    std::thread a(send), b(send);
    a.join();
    b.join();
    in.close();
    ex.wait();
    stop = true;
    reader.join();
    const auto end = ex.metrics();
    EXPECT_EQ(seen.load(), 2L * per_sender);
    EXPECT_EQ(end.inputs.at(0).records_sent, 2u * static_cast<std::uint64_t>(per_sender));
    EXPECT_EQ(totals(end).at("sink").records_in, 2u * static_cast<std::uint64_t>(per_sender));
  }
}

// One sample per epoch closed at the input, each at most the latency the caller saw from
// before its advance_to to after wait_until_complete returned.
TEST(Metrics, EpochLatencyHasOneSamplePerEpochWithinWhatTheCallerSaw) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 16});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto mapped = s.map([](int v) { return v + 1; }, "inc");
  auto done = mapped.probe();
  mapped.for_each([](int) {}, "sink");
  auto ex = rt.run(g);
  constexpr int epochs = 200;
  std::uint64_t seen_max = 0, seen_sum = 0;
  for (sw::timestamp t = 0; t < epochs; ++t) {
    for (int i = 0; i < 10; ++i) in.send(i);
    const auto before = std::chrono::steady_clock::now();
    in.advance_to(t + 1);
    ASSERT_TRUE(done.wait_until_complete(t, 10s));
    const auto seen = static_cast<std::uint64_t>((std::chrono::steady_clock::now() - before).count());
    seen_max = std::max(seen_max, seen);
    seen_sum += seen;
    const auto snap = ex.metrics();
    ASSERT_EQ(snap.probes.size(), 1u);
    ASSERT_EQ(snap.probes[0].epoch_latency.count(), t + 1) << "the sample is in before the waiter sees completion";
  }
  const auto snap = ex.metrics();
  const auto& p = snap.probes[0];
  EXPECT_EQ(p.node, "inc");
  EXPECT_EQ(p.frontier, static_cast<sw::timestamp>(epochs));
  EXPECT_LE(p.epoch_latency.max_ns(), seen_max);
  EXPECT_LE(p.epoch_latency.sum_ns(), seen_sum);
  EXPECT_GT(p.epoch_latency.min_ns(), 0u);
  in.close();
  ex.wait();
  EXPECT_EQ(ex.metrics().probes[0].epoch_latency.count(), static_cast<std::uint64_t>(epochs) + 1) << "the close is one more";
}
