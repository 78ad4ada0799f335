// Randomized: keyed aggregations and the three joins against sequential oracles, on random
// inputs with out-of-order event times (bounded disorder, a few late records), random arrival
// order of the two inputs, 1..4 runtime threads and 1..4 key partitions. Compares per-timestamp
// output multisets. Replay a failure with STREAMWEAVE_SEED=<seed>.
#include <streamweave/streamweave.hpp>

#include "keyed/join_oracles.hpp"
#include "support/seed.hpp"

#include "support/sequences.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

namespace sw = streamweave;
using sw::testing::ev;
using sw::testing::stamped;
using sw::testing::event_of;
using sw::testing::ids;
using sw::testing::key_of;

namespace {


struct workload {
  sw::timestamp epochs = 0;
  std::vector<stamped> a, b;  // b has at most one record per key and epoch (it is also a table)
  sw::timestamp lower = 0, upper = 0;
};

/// Event times are the batch time plus a disorder of 0..max_disorder; one record in ten is
/// late (event time one or two before its batch time).
workload make_workload(std::mt19937_64& rng) {
  workload w;
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  w.epochs = 3 + pick(8);
  w.lower = pick(4);
  w.upper = pick(4);
  const int keys = 1 + static_cast<int>(pick(5));
  const sw::timestamp max_disorder = pick(5);
  int id = 0;
  auto event_for = [&](sw::timestamp t) {
    if (t >= 2 && pick(10) == 0) return t - 1 - pick(2);
    return t + pick(max_disorder + 1);
  };
  for (sw::timestamp t = 0; t < w.epochs; ++t) {
    if (pick(4) == 0) continue;  // an empty epoch on both sides
    for (std::uint64_t i = pick(6); i > 0; --i) {
      const int k = static_cast<int>(pick(static_cast<std::uint64_t>(keys)));
      w.a.push_back({t, {k, event_for(t), id++}});
    }
    for (int k = 0; k < keys; ++k)
      if (pick(2) == 0) w.b.push_back({t, {k, event_for(t), id++}});
  }
  return w;
}

using streamweave::testing::sorted_by_time;

using keyed_counts = std::map<sw::timestamp, std::vector<std::pair<int, std::uint64_t>>>;

keyed_counts count_oracle(const std::vector<stamped>& records) {
  std::map<sw::timestamp, std::map<int, std::uint64_t>> m;
  for (const auto& r : records) ++m[r.batch][r.record.key];
  keyed_counts out;
  for (const auto& [t, per_key] : m)
    for (const auto& [k, n] : per_key) out[t].push_back({k, n});
  return out;
}

/// Reduce: per key, (key, latest event, sum of ids): order-independent.
ev fold(ev acc, const ev& r) { return {acc.key, std::max(acc.event, r.event), acc.id + r.id}; }

std::map<sw::timestamp, std::vector<std::pair<int, ev>>> reduce_oracle(const std::vector<stamped>& records) {
  std::map<sw::timestamp, std::map<int, ev>> m;
  for (const auto& r : records) {
    auto [it, fresh] = m[r.batch].try_emplace(r.record.key, r.record);
    if (!fresh) it->second = fold(it->second, r.record);
  }
  std::map<sw::timestamp, std::vector<std::pair<int, ev>>> out;
  for (const auto& [t, per_key] : m)
    for (const auto& [k, e] : per_key) out[t].push_back({k, e});
  return out;
}

}  // namespace

TEST(KeyedRandom, AggregationsAndJoinsMatchSequentialOracles) {
  const std::size_t n = sw::testing::runs(120);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i);
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    const workload w = make_workload(rng);
    const std::size_t threads = 1 + seed % 4, instances = 1 + rng() % 4;
    SCOPED_TRACE("threads=" + std::to_string(threads) + " instances=" + std::to_string(instances) +
                 " lower=" + std::to_string(w.lower) + " upper=" + std::to_string(w.upper));

    sw::runtime_options options;
    options.threads = threads;
    options.batch_size = 1 + rng() % 4;
    options.queue_capacity = 4;
    sw::runtime rt(options);
    sw::graph g("random keyed");
    auto [ha, a] = g.input<ev>("a");
    auto [hb, b] = g.input<ev>("b");
    const auto ka = a.key_by(key_of, instances);
    const auto kb = b.key_by(key_of, instances);
    sw::keyed_state_stats stats;
    auto counts = ka.count("count", stats).collect("counts");
    auto sums = ka.reduce("fold", fold, stats).collect("sums");
    auto running = ka.running_count("running count", stats).collect("running");
    auto joined = ka.join(kb, "join", ids, stats).collect("joined");
    auto interval = ka.interval_join(kb, w.lower, w.upper, event_of, event_of, "interval", ids, stats).collect("interval");
    auto table = ka.join_table(kb, "table", ids, stats).collect("table");
    auto ex = rt.run(g);
    sw::testing::epoch_feeder fa(ha, w.a, w.epochs), fb(hb, w.b, w.epochs);
    while (!fa.done() || !fb.done()) {  // random relative progress of the two inputs
      if (fb.done() || (!fa.done() && rng() % 2 == 0))
        fa.step();
      else
        fb.step();
    }
    ex.wait();

    EXPECT_EQ(sorted_by_time(counts), count_oracle(w.a));
    EXPECT_EQ(sorted_by_time(sums), reduce_oracle(w.a));
    EXPECT_EQ(sw::testing::collected(joined), sw::testing::join_oracle(w.a, w.b));
    EXPECT_EQ(sw::testing::collected(interval), sw::testing::interval_oracle(w.a, w.b, w.lower, w.upper));
    EXPECT_EQ(sw::testing::collected(table), sw::testing::table_oracle(w.a, w.b));
    // Running counts: per key, every value 1..n exactly once; per time, one per record.
    std::map<int, std::vector<std::uint64_t>> running_values;
    std::map<sw::timestamp, std::map<int, std::uint64_t>> running_per_time;
    for (const auto& item : running.items()) {
      running_values[item.record.first].push_back(item.record.second);
      ++running_per_time[item.time][item.record.first];
    }
    std::map<int, std::vector<std::uint64_t>> expected_values;
    for (const auto& r : w.a) expected_values[r.record.key].push_back(expected_values[r.record.key].size() + 1);
    for (auto& [k, v] : running_values) std::sort(v.begin(), v.end());
    EXPECT_EQ(running_values, expected_values);
    keyed_counts per_time;
    for (const auto& [t, m] : running_per_time)
      for (const auto& [k, c] : m) per_time[t].push_back({k, c});
    EXPECT_EQ(per_time, count_oracle(w.a));
    std::int64_t late = 0;
    for (const auto* side : {&w.a, &w.b})
      for (const auto& r : *side) late += r.record.event < r.batch ? 1 : 0;
    EXPECT_EQ(stats.late(), late);
    EXPECT_EQ(stats.entries(), 0);
    EXPECT_EQ(stats.timestamps(), 0);
    if (::testing::Test::HasFailure()) break;
  }
}
