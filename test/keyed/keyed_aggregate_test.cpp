// Keyed aggregations (count, reduce, aggregate and their running variants) against sequential
// oracles, at 1, 2 and 4 threads and 1 to 4 key partitions; state release via keyed_state_stats.
#include <streamweave/streamweave.hpp>

#include "support/sequences.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace sw = streamweave;

namespace {

using rec = std::pair<int, std::int64_t>;  // (key, value)
constexpr auto key_of = [](const rec& r) { return r.first; };

using streamweave::testing::sorted_by_time;

/// Epoch `t` holds records for keys `0..(t*7 % 11)` with a few values each; every third epoch
/// is empty.
std::map<sw::timestamp, std::vector<rec>> workload(sw::timestamp epochs) {
  std::map<sw::timestamp, std::vector<rec>> in;
  for (sw::timestamp t = 0; t < epochs; ++t) {
    if (t % 3 == 2) continue;
    const int keys = static_cast<int>(t * 7 % 11) + 1;
    for (int k = 0; k < keys; ++k)
      for (int i = 0; i <= (k + static_cast<int>(t)) % 4; ++i) in[t].push_back({k, k * 100 + i + static_cast<std::int64_t>(t)});
  }
  return in;
}

template <class F>
std::map<sw::timestamp, std::vector<std::pair<int, std::int64_t>>> per_time_oracle(
    const std::map<sw::timestamp, std::vector<rec>>& in, F fold_key) {
  std::map<sw::timestamp, std::vector<std::pair<int, std::int64_t>>> out;
  for (const auto& [t, records] : in) {
    std::map<int, std::vector<std::int64_t>> by_key;
    for (const auto& [k, v] : records) by_key[k].push_back(v);
    for (const auto& [k, vs] : by_key) out[t].push_back({k, fold_key(vs)});
  }
  return out;
}

/// Feeds `in` epoch by epoch, then closes the input.
void feed(sw::input_handle<rec>& h, const std::map<sw::timestamp, std::vector<rec>>& in, sw::timestamp epochs) {
  for (sw::timestamp t = 0; t < epochs; ++t) {
    if (auto it = in.find(t); it != in.end()) h.send(it->second);
    h.advance_to(t + 1);
  }
  h.close();
}

/// An aggregator with a result type of its own: (min, max, count) of the values.
struct min_max_count {
  struct acc {
    std::int64_t lo = std::numeric_limits<std::int64_t>::max();
    std::int64_t hi = std::numeric_limits<std::int64_t>::min();
    std::uint64_t n = 0;
  };
  acc init() const { return {}; }
  void accumulate(acc& a, const rec& r) const {
    a.lo = std::min(a.lo, r.second);
    a.hi = std::max(a.hi, r.second);
    ++a.n;
  }
  void merge(acc& a, acc&& b) const {
    a.lo = std::min(a.lo, b.lo);
    a.hi = std::max(a.hi, b.hi);
    a.n += b.n;
  }
  std::tuple<std::int64_t, std::int64_t, std::uint64_t> finish(acc&& a) const { return {a.lo, a.hi, a.n}; }
};
static_assert(sw::aggregator_for<min_max_count, rec>);

class KeyedAggregate : public ::testing::TestWithParam<std::tuple<std::size_t, std::size_t>> {
 protected:
  std::size_t instances() const { return std::get<1>(GetParam()); }
  sw::runtime_options options() const {
    sw::runtime_options o;
    o.threads = std::get<0>(GetParam());
    o.batch_size = 5;  // many batch boundaries
    o.queue_capacity = 4;
    return o;
  }
};

}  // namespace

TEST_P(KeyedAggregate, CountPerKeyAndTimestampSkipsEmptyEpochs) {
  constexpr sw::timestamp epochs = 24;
  const auto in = workload(epochs);
  sw::runtime rt(options());
  sw::graph g("count");
  auto [h, s] = g.input<rec>("in");
  sw::keyed_state_stats stats;
  auto out = s.key_by(key_of, instances()).count("count", stats).collect("out");
  auto ex = rt.run(g);
  feed(h, in, epochs);
  ex.wait();
  std::map<sw::timestamp, std::vector<std::pair<int, std::uint64_t>>> expected;
  for (const auto& [t, v] : per_time_oracle(in, [](const auto& vs) { return static_cast<std::int64_t>(vs.size()); }))
    for (const auto& [k, n] : v) expected[t].push_back({k, static_cast<std::uint64_t>(n)});
  EXPECT_EQ(sorted_by_time(out), expected);
  EXPECT_EQ(stats.timestamps(), 0);
  EXPECT_EQ(stats.entries(), 0);
  EXPECT_GT(stats.peak_entries(), 0);
}

TEST_P(KeyedAggregate, ReduceFoldsPerKeyAndTimestamp) {
  constexpr sw::timestamp epochs = 17;
  const auto in = workload(epochs);
  sw::runtime rt(options());
  sw::graph g("reduce");
  auto [h, s] = g.input<rec>("in");
  auto out = s.key_by(key_of, instances())
                 .reduce("sum", [](rec acc, const rec& r) { return rec{acc.first, acc.second + r.second}; })
                 .collect("out");
  auto ex = rt.run(g);
  feed(h, in, epochs);
  ex.wait();
  std::map<sw::timestamp, std::vector<std::pair<int, rec>>> expected;
  for (const auto& [t, v] : per_time_oracle(in, [](const auto& vs) {
         std::int64_t sum = 0;
         for (auto x : vs) sum += x;
         return sum;
       }))
    for (const auto& [k, sum] : v) expected[t].push_back({k, rec{k, sum}});
  EXPECT_EQ(sorted_by_time(out), expected);
}

TEST_P(KeyedAggregate, AggregateWithCustomAggregator) {
  constexpr sw::timestamp epochs = 13;
  const auto in = workload(epochs);
  sw::runtime rt(options());
  sw::graph g("aggregate");
  auto [h, s] = g.input<rec>("in");
  auto keyed = s.key_by(key_of, instances());
  auto mmc = keyed.aggregate("mmc", min_max_count{}).collect("mmc_out");
  auto sums = keyed.aggregate("sum", sw::sum_of<std::int64_t>([](const rec& r) { return r.second; })).collect("sum_out");
  auto ex = rt.run(g);
  feed(h, in, epochs);
  ex.wait();
  std::map<sw::timestamp, std::vector<std::pair<int, std::tuple<std::int64_t, std::int64_t, std::uint64_t>>>> expected;
  std::map<sw::timestamp, std::vector<std::pair<int, std::int64_t>>> expected_sums;
  for (const auto& [t, records] : in) {
    std::map<int, std::vector<std::int64_t>> by_key;
    for (const auto& [k, v] : records) by_key[k].push_back(v);
    for (const auto& [k, vs] : by_key) {
      expected[t].push_back({k, {*std::min_element(vs.begin(), vs.end()), *std::max_element(vs.begin(), vs.end()), vs.size()}});
      std::int64_t sum = 0;
      for (auto x : vs) sum += x;
      expected_sums[t].push_back({k, sum});
    }
  }
  EXPECT_EQ(sorted_by_time(mmc), expected);
  EXPECT_EQ(sorted_by_time(sums), expected_sums);
}

TEST_P(KeyedAggregate, StateIsFreedWhenTheFrontierPassesAndStaysBounded) {
  constexpr sw::timestamp epochs = 10'000;
  constexpr sw::timestamp sync_every = 50;
  sw::runtime rt(options());
  sw::graph g("bounded");
  auto [h, s] = g.input<rec>("in");
  sw::keyed_state_stats stats;
  auto counts = s.key_by(key_of, instances()).count("count", stats);
  auto done = counts.probe();
  std::atomic<std::uint64_t> total{0};
  std::atomic<std::size_t> outputs{0};
  counts.sink("check", [&](sw::operator_setup&) {
    return [&](sw::timestamp t, const std::pair<int, std::uint64_t>& r) {
      // Epoch t has keys t%3 and 3 + t%2, two records each; sinks run in one instance here.
      EXPECT_TRUE(r.first == static_cast<int>(t % 3) || r.first == 3 + static_cast<int>(t % 2)) << "t=" << t;
      total += r.second;
      ++outputs;
    };
  });
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < epochs; ++t) {
    const int a = static_cast<int>(t % 3), b = 3 + static_cast<int>(t % 2);
    h.send(std::vector<rec>{{a, 1}, {b, 2}, {a, 3}, {b, 4}});
    h.advance_to(t + 1);
    if ((t + 1) % sync_every == 0) {
      ASSERT_TRUE(done.wait_until_complete(t));
      // Everything up to t is emitted: the operator holds no state for those times.
      EXPECT_EQ(stats.timestamps(), 0) << "t=" << t;
      EXPECT_EQ(stats.entries(), 0) << "t=" << t;
    }
  }
  ASSERT_TRUE(done.wait_until_complete(epochs - 1));
  EXPECT_EQ(stats.timestamps(), 0);
  EXPECT_EQ(stats.entries(), 0);
  h.close();
  ex.wait();
  EXPECT_EQ(total, 4 * epochs);
  EXPECT_EQ(outputs, 2 * epochs);
  // At most the unsynchronised epochs are pending at once, whatever the number of epochs.
  EXPECT_LE(stats.peak_timestamps(), static_cast<std::int64_t>(sync_every * instances()));
  EXPECT_LE(stats.peak_entries(), static_cast<std::int64_t>(2 * sync_every));
}

TEST_P(KeyedAggregate, RunningVariantsEmitAfterEveryRecord) {
  constexpr sw::timestamp epochs = 15;
  const auto in = workload(epochs);
  sw::runtime rt(options());
  sw::graph g("running");
  auto [h, s] = g.input<rec>("in");
  sw::keyed_state_stats stats;
  auto keyed = s.key_by(key_of, instances());
  auto counts = keyed.running_count("running count", stats);
  auto sums = keyed.running_reduce("running sum", [](rec acc, const rec& r) { return rec{acc.first, acc.second + r.second}; });
  auto maxima = keyed.running_aggregate("running max", min_max_count{});
  auto done = counts.probe();
  auto done_sums = sums.probe();
  auto done_maxima = maxima.probe();
  auto count_out = counts.collect("counts");
  auto sum_out = sums.collect("sums");
  auto max_out = maxima.collect("maxima");
  auto ex = rt.run(g);
  // One epoch at a time: a running value then depends only on the records before it.
  for (sw::timestamp t = 0; t < epochs; ++t) {
    if (auto it = in.find(t); it != in.end()) h.send(it->second);
    h.advance_to(t + 1);
    ASSERT_TRUE(done.wait_until_complete(t));
    ASSERT_TRUE(done_sums.wait_until_complete(t));
    ASSERT_TRUE(done_maxima.wait_until_complete(t));
  }
  EXPECT_GT(stats.entries(), 0);  // running state is kept across timestamps
  h.close();
  ex.wait();
  EXPECT_EQ(stats.entries(), 0);

  // Oracle: per (time, key), the running counts are before+1..before+n; the largest running
  // sum is the prefix sum through t; running (min, max, n) has n = before+1..before+n.
  std::map<sw::timestamp, std::vector<std::pair<int, std::uint64_t>>> expected_counts;
  std::map<sw::timestamp, std::map<int, std::int64_t>> expected_max_sum;
  std::map<int, std::uint64_t> seen;
  std::map<int, std::int64_t> prefix;
  for (const auto& [t, records] : in) {
    for (const auto& [k, v] : records) {
      expected_counts[t].push_back({k, ++seen[k]});
      prefix[k] += v;
      expected_max_sum[t][k] = prefix[k];
    }
    std::sort(expected_counts[t].begin(), expected_counts[t].end());
  }
  EXPECT_EQ(sorted_by_time(count_out), expected_counts);
  std::map<sw::timestamp, std::map<int, std::int64_t>> got_max_sum;
  for (const auto& item : sum_out.items()) {
    auto& m = got_max_sum[item.time][item.record.first];
    m = std::max(m, item.record.second.second);
  }
  EXPECT_EQ(got_max_sum, expected_max_sum);
  std::map<sw::timestamp, std::vector<std::pair<int, std::uint64_t>>> got_n;
  for (const auto& item : max_out.items()) got_n[item.time].push_back({item.record.first, std::get<2>(item.record.second)});
  for (auto& [t, v] : got_n) std::sort(v.begin(), v.end());
  EXPECT_EQ(got_n, expected_counts);
}

TEST_P(KeyedAggregate, NoInputNoOutput) {
  sw::runtime rt(options());
  sw::graph g("empty");
  auto [h, s] = g.input<rec>("in");
  auto keyed = s.key_by(key_of, instances());
  auto counts = keyed.count().collect();
  auto running = keyed.running_count().collect();
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < 5; ++t) h.advance_to(t + 1);
  h.close();
  ex.wait();
  EXPECT_EQ(counts.size(), 0u);
  EXPECT_EQ(running.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(ThreadsAndInstances, KeyedAggregate,
                         ::testing::Combine(::testing::Values(std::size_t{1}, std::size_t{2}, std::size_t{4}),
                                            ::testing::Values(std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4})),
                         [](const auto& info) {
                           return "threads" + std::to_string(std::get<0>(info.param)) + "_instances" +
                                  std::to_string(std::get<1>(info.param));
                         });
