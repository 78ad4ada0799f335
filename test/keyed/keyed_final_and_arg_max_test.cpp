// keyed_stream::final_aggregate (one result per key once the input is done, whatever the
// timestamps) and arg_max_aggregator (every record at the largest score, ties kept; merge of
// partial maxima equals the maximum of the union). Randomized against sequential oracles;
// replay a failure with STREAMWEAVE_SEED=<seed>.
#include <streamweave/streamweave.hpp>

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <utility>
#include <vector>

namespace sw = streamweave;

namespace {
struct item {
  int key = 0;
  int score = 0;
  int id = 0;
  friend auto operator<=>(const item&, const item&) = default;
};
auto key_of = [](const item& r) { return r.key; };
auto score_of = [](const item& r) { return r.score; };

std::vector<item> sorted(std::vector<item> v) {
  std::sort(v.begin(), v.end());
  return v;
}

/// The records of `in` at the largest score.
std::vector<item> oracle_max(const std::vector<item>& in) {
  std::vector<item> out;
  for (const item& r : in) {
    if (out.empty() || r.score > out.front().score) out.clear();
    if (out.empty() || r.score == out.front().score) out.push_back(r);
  }
  return sorted(out);
}
}  // namespace

TEST(ArgMaxAggregator, KeepsEveryTieAndMergingPartialMaximaEqualsTheMaximumOfTheUnion) {
  const auto agg = sw::arg_max_by<item>(score_of);
  static_assert(sw::aggregator_for<decltype(agg), item>);
  for (const std::uint64_t seed : sw::testing::seeds(7300, 200)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    std::vector<item> in(rng() % 12);
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = {0, static_cast<int>(rng() % 4), static_cast<int>(i)};
    // Split into three parts, accumulate each, merge in a random order.
    std::vector<decltype(agg.init())> parts(3);
    for (const item& r : in) agg.accumulate(parts[rng() % 3], r);
    std::shuffle(parts.begin(), parts.end(), rng);
    auto acc = agg.init();
    for (auto& p : parts) agg.merge(acc, std::move(p));
    EXPECT_EQ(sorted(agg.finish(std::move(acc))), oracle_max(in));
  }
}

TEST(ArgMaxAggregator, PerWindowGivesEveryHighestRecordOfTheWindow) {
  sw::runtime rt({.threads = 2});
  sw::graph g("argmax windows");
  const std::vector<item> in{{1, 5, 0}, {1, 7, 1}, {1, 7, 2}, {1, 3, 3}, {2, 1, 4}};
  auto s = g.source_from("in", in);
  auto out = s.key_by(key_of, 2)
                 .window(sw::tumbling_windows(10), [](const item& r) { return static_cast<sw::timestamp>(r.id); })
                 .aggregate("highest", sw::arg_max_by<item>(score_of));
  auto results = out.output.collect("results");
  out.late.for_each([](const item&) {});
  rt.run(g).wait();
  std::map<int, std::vector<item>> got;
  for (const auto& r : results.records()) got[r.key] = sorted(r.value);
  EXPECT_EQ(got[1], (std::vector<item>{{1, 7, 1}, {1, 7, 2}}));
  EXPECT_EQ(got[2], (std::vector<item>{{2, 1, 4}}));
}

TEST(FinalAggregate, OneResultPerKeyOverAllTimestampsEmittedWhenTheInputIsDone) {
  for (const std::uint64_t seed : sw::testing::seeds(7400, 30)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    const std::size_t threads = 1 + rng() % 3, instances = 1 + rng() % 4;
    sw::runtime_options options;
    options.threads = threads;
    options.batch_size = 1 + rng() % 4;
    sw::runtime rt(options);
    sw::graph g("final");
    auto [in, s] = g.input<item>("in");
    sw::keyed_state_stats stats;
    auto sums = s.key_by(key_of, instances).final_aggregate("total", sw::sum_of<long>(score_of), stats).collect("sums");
    auto ex = rt.run(g);
    std::map<int, long> want;
    sw::timestamp last = 0;
    const int epochs = 1 + static_cast<int>(rng() % 8);
    for (int t = 0; t < epochs; ++t) {
      if (t > 0) in.advance_to(last = static_cast<sw::timestamp>(t));
      for (int i = static_cast<int>(rng() % 6); i > 0; --i) {
        const item r{static_cast<int>(rng() % 5), static_cast<int>(rng() % 100), 0};
        want[r.key] += r.score;
        in.send(r);
      }
    }
    in.close();
    ex.wait();
    std::map<int, long> got;
    for (const auto& x : sums.items()) {
      EXPECT_TRUE(got.emplace(x.record.first, x.record.second).second) << "key " << x.record.first << " emitted twice";
      EXPECT_LE(x.time, last);
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(stats.entries(), 0);
  }
}

TEST(FinalAggregate, HoldsDownstreamTimeUntilTheInputEnds) {
  sw::runtime rt({.threads = 2});
  sw::graph g("final holds");
  auto [in, s] = g.input<item>("in");
  auto totals = s.key_by(key_of, 2).final_aggregate("total", sw::count_aggregator{});
  auto probe = totals.probe();
  auto got = totals.collect("got");
  auto ex = rt.run(g);
  in.send({1, 0, 0});
  in.advance_to(5);
  EXPECT_FALSE(probe.wait_until_complete(0, std::chrono::milliseconds(50))) << "complete before the input ended";
  EXPECT_EQ(got.size(), 0u);
  in.close();
  ex.wait();
  EXPECT_TRUE(probe.done());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.items()[0].time, 0u) << "emitted at the latest batch time the instance saw";
}
