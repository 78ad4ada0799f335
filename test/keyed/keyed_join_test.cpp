// Keyed joins (join, interval_join, join_table) against sequential oracles, with either input
// arriving first, at 1, 2 and 4 threads and 1 to 4 key partitions.
#include <streamweave/streamweave.hpp>

#include "keyed/join_oracles.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace sw = streamweave;
using sw::testing::ev;
using sw::testing::stamped;
using sw::testing::event_of;
using sw::testing::ids;
using sw::testing::key_of;

namespace {


/// Which input is fed first: all of a then all of b, the reverse, or alternating epochs.
enum class order { a_first, b_first, interleaved };

void feed(sw::testing::epoch_feeder& a, sw::testing::epoch_feeder& b, order o) {
  switch (o) {
    case order::a_first:
      a.finish();
      b.finish();
      break;
    case order::b_first:
      b.finish();
      a.finish();
      break;
    case order::interleaved:
      while (!a.done() || !b.done()) {
        if (!a.done()) a.step();
        if (!b.done()) b.step();
      }
      break;
  }
}

/// Small batches and queues: many batch boundaries and some backpressure.
sw::runtime_options small_batches(std::size_t threads) {
  sw::runtime_options o;
  o.threads = threads;
  o.batch_size = 3;
  o.queue_capacity = 4;
  return o;
}

/// Tests that do not depend on the arrival order: (threads, instances).
class KeyedJoinState : public ::testing::TestWithParam<std::tuple<std::size_t, std::size_t>> {
 protected:
  std::size_t instances() const { return std::get<1>(GetParam()); }
  sw::runtime_options options() const { return small_batches(std::get<0>(GetParam())); }
};

/// Tests run in each arrival order: (threads, instances, order).
class KeyedJoin : public ::testing::TestWithParam<std::tuple<std::size_t, std::size_t, order>> {
 protected:
  std::size_t instances() const { return std::get<1>(GetParam()); }
  order arrival() const { return std::get<2>(GetParam()); }
  sw::runtime_options options() const { return small_batches(std::get<0>(GetParam())); }

  /// Runs `make(a_keyed, b_keyed)` on inputs a and b fed with `as` and `bs` in `arrival()`
  /// order; returns the collected output.
  template <class Make>
  sw::testing::pairs_by_time run(const std::vector<stamped>& as, const std::vector<stamped>& bs, sw::timestamp epochs,
                                 Make make) {
    sw::runtime rt(options());
    sw::graph g("join");
    auto [ha, a] = g.input<ev>("a");
    auto [hb, b] = g.input<ev>("b");
    auto out = make(a.key_by(key_of, instances()), b.key_by(key_of, instances())).collect("out");
    auto ex = rt.run(g);
    sw::testing::epoch_feeder fa(ha, as, epochs), fb(hb, bs, epochs);
    feed(fa, fb, arrival());
    ex.wait();
    return sw::testing::collected(out);
  }
};

/// Records whose batch time equals their event time.
std::vector<stamped> on_time(std::vector<ev> records) {
  std::vector<stamped> out;
  for (const auto& r : records) out.push_back({r.event, r});
  return out;
}

}  // namespace

TEST_P(KeyedJoin, JoinPairsEveryMatchAtTheLaterTime) {
  // Keys 1..3 on both sides at various times, key 9 only on a, key 7 only on b.
  const auto as = on_time({{1, 0, 100}, {2, 1, 101}, {1, 4, 102}, {3, 4, 103}, {9, 2, 104}, {1, 6, 105}});
  const auto bs = on_time({{1, 2, 200}, {1, 5, 201}, {2, 0, 202}, {3, 4, 203}, {7, 1, 204}, {2, 6, 205}});
  const auto expected = sw::testing::join_oracle(as, bs);
  ASSERT_EQ(expected.size(), 5u);  // the data has matches at several times
  const auto got = run(as, bs, 8, [](auto a, auto b) { return a.join(b, "join", ids); });
  EXPECT_EQ(got, expected);
}

TEST_P(KeyedJoinState, JoinOfDifferentRecordTypes) {
  sw::runtime rt(options());
  sw::graph g("typed join");
  auto [hp, people] = g.input<std::pair<int, std::string>>("people");      // (id, name)
  auto [ho, orders] = g.input<std::pair<int, std::int64_t>>("orders");     // (person id, amount)
  auto out = people.key_by([](const auto& p) { return p.first; }, instances())
                 .join(orders.key_by([](const auto& o) { return o.first; }, instances()), "people x orders",
                       [](const std::pair<int, std::string>& p, const std::pair<int, std::int64_t>& o) {
                         return p.second + ":" + std::to_string(o.second);
                       })
                 .collect();
  auto ex = rt.run(g);
  ho.send({1, 10});
  ho.send({2, 20});
  ho.advance_to(3);
  ho.send({1, 30});
  ho.close();
  hp.send({1, "ann"});
  hp.advance_to(1);
  hp.send({2, "bob"});
  hp.send({3, "cy"});
  hp.close();
  ex.wait();
  auto by_time = out.by_time();
  for (auto& [t, v] : by_time) std::sort(v.begin(), v.end());
  const std::map<sw::timestamp, std::vector<std::string>> expected{{0, {"ann:10"}}, {1, {"bob:20"}}, {3, {"ann:30"}}};
  EXPECT_EQ(by_time, expected);
}

TEST_P(KeyedJoinState, JoinKeepsBothSidesUntilTheInputsClose) {
  sw::runtime rt(options());
  sw::graph g("join state");
  auto [ha, a] = g.input<ev>("a");
  auto [hb, b] = g.input<ev>("b");
  sw::keyed_state_stats stats;
  auto joined = a.key_by(key_of, instances()).join(b.key_by(key_of, instances()), "join", ids, stats);
  auto done = joined.probe();
  auto out = joined.collect();
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < 20; ++t) {
    ha.send(ev{static_cast<int>(t % 5), t, static_cast<int>(t)});
    hb.send(ev{static_cast<int>(t % 4), t, static_cast<int>(t)});
    ha.advance_to(t + 1);
    hb.advance_to(t + 1);
    ASSERT_TRUE(done.wait_until_complete(t));
    EXPECT_EQ(stats.entries(), static_cast<std::int64_t>(2 * (t + 1))) << "every record is kept while both inputs are open";
  }
  ha.close();
  hb.close();
  ex.wait();
  EXPECT_EQ(stats.entries(), 0);
  std::vector<stamped> as, bs;
  for (sw::timestamp t = 0; t < 20; ++t) {
    as.push_back({t, {static_cast<int>(t % 5), t, static_cast<int>(t)}});
    bs.push_back({t, {static_cast<int>(t % 4), t, static_cast<int>(t)}});
  }
  EXPECT_EQ(sw::testing::collected(out), sw::testing::join_oracle(as, bs));
}

TEST_P(KeyedJoin, IntervalJoinBoundsAreInclusive) {
  // a at event 10 with lower 2, upper 3 matches b events 8..13: 7 and 14 are one past.
  const auto as = on_time({{1, 10, 100}});
  const auto bs = on_time({{1, 7, 207}, {1, 8, 208}, {1, 10, 210}, {1, 13, 213}, {1, 14, 214}, {2, 10, 299}});
  const auto got = run(as, bs, 16, [](auto a, auto b) {
    return a.interval_join(b, 2, 3, event_of, event_of, "interval", ids);
  });
  const sw::testing::pairs_by_time expected{{10, {{100, 208}, {100, 210}}}, {13, {{100, 213}}}};
  EXPECT_EQ(got, expected);
  EXPECT_EQ(got, sw::testing::interval_oracle(as, bs, 2, 3));
}

TEST_P(KeyedJoin, IntervalJoinEventTimesBeyondBatchTimes) {
  // Batch times lag event times (a watermark behind the events); disorder within each side.
  std::vector<stamped> as, bs;
  int id = 0;
  for (sw::timestamp t = 0; t < 12; ++t)
    for (int k = 0; k < 3; ++k) {
      as.push_back({t, {k, t + static_cast<sw::timestamp>((k * 5 + static_cast<int>(t) * 3) % 7), id++}});
      bs.push_back({t, {k, t + static_cast<sw::timestamp>((k * 3 + static_cast<int>(t) * 5) % 6), id++}});
    }
  const auto expected = sw::testing::interval_oracle(as, bs, 1, 4);
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(run(as, bs, 12, [](auto a, auto b) { return a.interval_join(b, 1, 4, event_of, event_of, "interval", ids); }),
            expected);
}

TEST_P(KeyedJoin, IntervalJoinLateRecordsFollowTheDeterministicRule) {
  // Records whose event time is before their batch time: only pairs allowed by the rule in
  // keyed/joins.hpp are produced, and the records are counted as late.
  const std::vector<stamped> as{{5, {1, 2, 100}}, {0, {1, 4, 101}}, {6, {1, 6, 102}}};
  const std::vector<stamped> bs{{0, {1, 3, 200}}, {7, {1, 5, 201}}, {2, {1, 2, 202}}};
  sw::runtime rt(options());
  sw::graph g("late");
  auto [ha, a] = g.input<ev>("a");
  auto [hb, b] = g.input<ev>("b");
  sw::keyed_state_stats stats;
  auto out = a.key_by(key_of, instances())
                 .interval_join(b.key_by(key_of, instances()), 1, 2, event_of, event_of, "interval", ids, stats)
                 .collect();
  auto ex = rt.run(g);
  sw::testing::epoch_feeder fa(ha, as, 9), fb(hb, bs, 9);
  feed(fa, fb, arrival());
  ex.wait();
  EXPECT_EQ(sw::testing::collected(out), sw::testing::interval_oracle(as, bs, 1, 2));
  EXPECT_EQ(stats.late(), 2);  // a at batch 5 with event 2, b at batch 7 with event 5
}

/// Polls `value()` until it equals `expected` (state is freed by an activation that runs soon
/// after a frontier change, with no capability or probe to wait on). A liveness check: the
/// deadline only turns a hang into a failure.
template <class F>
bool eventually_equals(F value, std::int64_t expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (value() != expected) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST_P(KeyedJoinState, JoinFreesASideOnceTheOtherInputIsDoneWhileTheRunGoesOn) {
  sw::runtime rt(options());
  sw::graph g("join release");
  auto [ha, a] = g.input<ev>("a");
  auto [hb, b] = g.input<ev>("b");
  sw::keyed_state_stats stats;
  auto joined = a.key_by(key_of, instances()).join(b.key_by(key_of, instances()), "join", ids, stats);
  auto done = joined.probe();
  joined.for_each([](const std::pair<int, int>&) {});
  auto ex = rt.run(g);
  constexpr int records = 30;
  for (int i = 0; i < records; ++i) {
    ha.send(ev{i % 7, 0, i});
    hb.send(ev{i % 5, 0, i});
  }
  ha.advance_to(1);
  hb.advance_to(1);
  ASSERT_TRUE(done.wait_until_complete(0));
  EXPECT_EQ(stats.entries(), 2 * records) << "both sides are kept while both inputs are open";
  hb.close();  // no b can arrive any more: a's records can find no new partner
  EXPECT_TRUE(eventually_equals([&] { return stats.entries(); }, records)) << "a's records not freed; entries=" << stats.entries();
  ha.send(ev{1, 1, 99});  // a still joins with the b records it keeps
  ha.close();
  ex.wait();
  EXPECT_EQ(stats.entries(), 0);
}

TEST_P(KeyedJoinState, IntervalJoinStateStaysBoundedOverManyEpochs) {
  constexpr sw::timestamp epochs = 10'000, sync_every = 50, lower = 3, upper = 5;
  sw::runtime rt(options());
  sw::graph g("bounded interval");
  auto [ha, a] = g.input<ev>("a");
  auto [hb, b] = g.input<ev>("b");
  sw::keyed_state_stats stats;
  auto joined = a.key_by(key_of, instances())
                    .interval_join(b.key_by(key_of, instances()), lower, upper, event_of, event_of, "interval", ids, stats);
  auto done = joined.probe();
  std::atomic<std::uint64_t> pairs{0};
  joined.for_each([&](const std::pair<int, int>&) { pairs.fetch_add(1, std::memory_order_relaxed); });
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < epochs; ++t) {
    ha.send(ev{static_cast<int>(t % 2), t, 0});
    hb.send(ev{static_cast<int>(t % 2), t + 1, 0});
    ha.advance_to(t + 1);
    hb.advance_to(t + 1);
    if ((t + 1) % sync_every == 0) {
      ASSERT_TRUE(done.wait_until_complete(t));
    }
  }
  ha.close();
  hb.close();
  ex.wait();
  // a at t (key t%2) matches b at event t'+1 with t'≡t (mod 2) and t-3 <= t'+1 <= t+5:
  // t' in {t-4, t-2, t, t+2, t+4}, clipped to [0, epochs).
  std::uint64_t expected = 0;
  for (sw::timestamp t = 0; t < epochs; ++t)
    for (int d = -4; d <= 4; d += 2) {
      const auto other = static_cast<std::int64_t>(t) + d;
      if (other >= 0 && other < static_cast<std::int64_t>(epochs)) ++expected;
    }
  EXPECT_EQ(pairs.load(), expected);
  EXPECT_EQ(stats.entries(), 0);
  // Records are freed as the frontiers pass: the peak depends on how far the feeder runs
  // ahead (sync_every) and on the interval, not on the 10,000 epochs.
  EXPECT_LE(stats.peak_entries(), static_cast<std::int64_t>(2 * (2 * sync_every + lower + upper + 2)));
}

TEST_P(KeyedJoin, JoinTableUsesTheLatestUpdateAtOrBeforeEachRecord) {
  // Stream a looks up table b. Key 1 is updated at 0, 3 (twice in one batch: the later wins)
  // and 5; key 2 only at 4; key 3 never.
  const std::vector<stamped> updates{{0, {1, 0, 500}}, {3, {1, 0, 503}}, {3, {1, 0, 504}}, {5, {1, 0, 505}}, {4, {2, 0, 520}}};
  const std::vector<stamped> stream{{0, {1, 0, 1}}, {2, {1, 0, 2}}, {3, {1, 0, 3}}, {4, {1, 0, 4}}, {5, {1, 0, 5}},
                                    {3, {2, 0, 6}}, {4, {2, 0, 7}}, {6, {2, 0, 8}}, {6, {3, 0, 9}}};
  const auto expected = sw::testing::table_oracle(stream, updates);
  const sw::testing::pairs_by_time by_hand{{0, {{1, 500}}}, {2, {{2, 500}}}, {3, {{3, 504}}},
                                           {4, {{4, 504}, {7, 520}}}, {5, {{5, 505}}}, {6, {{8, 520}}}};
  ASSERT_EQ(expected, by_hand);
  sw::keyed_state_stats stats;
  EXPECT_EQ(run(stream, updates, 7, [&](auto s, auto table) { return s.join_table(table, "lookup", ids, stats); }), expected);
  EXPECT_EQ(stats.entries(), 0);
  EXPECT_EQ(stats.timestamps(), 0);
}

TEST_P(KeyedJoinState, JoinTableFreesBufferedTimestampsAsTheFrontiersPass) {
  sw::runtime rt(options());
  sw::graph g("table state");
  auto [hs, s] = g.input<ev>("stream");
  auto [ht, t] = g.input<ev>("table");
  sw::keyed_state_stats stats;
  auto joined = s.key_by(key_of, instances()).join_table(t.key_by(key_of, instances()), "lookup", ids, stats);
  auto done = joined.probe();
  auto out = joined.collect();
  auto ex = rt.run(g);
  constexpr sw::timestamp epochs = 2'000;
  for (sw::timestamp e = 0; e < epochs; ++e) {
    ht.send(ev{static_cast<int>(e % 3), e, static_cast<int>(e)});
    hs.send(ev{static_cast<int>(e % 3), e, static_cast<int>(e)});
    hs.send(ev{static_cast<int>(e % 3) + 1, e, static_cast<int>(e)});
    ht.advance_to(e + 1);
    hs.advance_to(e + 1);
    if ((e + 1) % 100 == 0) {
      ASSERT_TRUE(done.wait_until_complete(e));
      EXPECT_EQ(stats.timestamps(), 0) << "nothing is buffered for completed times";
    }
  }
  // Rows are one per key (keys 0..2 are updated), whatever the number of epochs.
  EXPECT_EQ(stats.entries(), 3);
  EXPECT_LE(stats.peak_timestamps(), static_cast<std::int64_t>(2 * 100 * instances()));
  ht.close();
  hs.close();
  ex.wait();
  std::vector<stamped> stream, updates;
  for (sw::timestamp e = 0; e < epochs; ++e) {
    updates.push_back({e, {static_cast<int>(e % 3), e, static_cast<int>(e)}});
    stream.push_back({e, {static_cast<int>(e % 3), e, static_cast<int>(e)}});
    stream.push_back({e, {static_cast<int>(e % 3) + 1, e, static_cast<int>(e)}});
  }
  EXPECT_EQ(sw::testing::collected(out), sw::testing::table_oracle(stream, updates));
}

TEST_P(KeyedJoinState, ErrorsInTheJoinFunctionSurfaceFromWait) {
  sw::runtime rt(options());
  sw::graph g("failing join");
  auto [ha, a] = g.input<ev>("a");
  auto [hb, b] = g.input<ev>("b");
  a.key_by(key_of, instances())
      .join(b.key_by(key_of, instances()), "picky join",
            [](const ev& x, const ev& y) -> std::pair<int, int> {
              if (x.id == 3) throw std::runtime_error("no pairs for 3");
              return {x.id, y.id};
            })
      .for_each([](const std::pair<int, int>&) {});
  auto ex = rt.run(g);
  hb.send(ev{1, 0, 10});
  ha.send(ev{1, 0, 3});
  ha.close();
  hb.close();
  try {
    ex.wait();
    FAIL() << "expected operator_error";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "picky join");
  }
}

TEST_P(KeyedJoinState, JoinsNeedTheSameNumberOfInstances) {
  sw::graph g("mismatch");
  auto [ha, a] = g.input<ev>("a");
  auto [hb, b] = g.input<ev>("b");
  const auto ka = a.key_by(key_of, instances());
  const auto kb = b.key_by(key_of, instances() + 1);
  try {
    (void)ka.join(kb, "my join", ids);
    FAIL() << "expected graph_error";
  } catch (const sw::graph_error& e) {
    EXPECT_NE(std::string(e.what()).find("'my join'"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)ka.interval_join(kb, 1, 1, event_of, event_of, "i", ids), sw::graph_error);
  EXPECT_THROW((void)ka.join_table(kb, "t", ids), sw::graph_error);
}

namespace {
std::string state_param_name(const ::testing::TestParamInfo<KeyedJoinState::ParamType>& info) {
  return "threads" + std::to_string(std::get<0>(info.param)) + "_instances" + std::to_string(std::get<1>(info.param));
}
std::string param_name(const ::testing::TestParamInfo<KeyedJoin::ParamType>& info) {
  const char* const names[] = {"a_first", "b_first", "interleaved"};
  return "threads" + std::to_string(std::get<0>(info.param)) + "_instances" + std::to_string(std::get<1>(info.param)) +
         "_" + names[static_cast<int>(std::get<2>(info.param))];
}
}  // namespace

INSTANTIATE_TEST_SUITE_P(ThreadsInstancesOrders, KeyedJoin,
                         ::testing::Combine(::testing::Values(std::size_t{1}, std::size_t{2}, std::size_t{4}),
                                            ::testing::Values(std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4}),
                                            ::testing::Values(order::a_first, order::b_first, order::interleaved)),
                         param_name);

INSTANTIATE_TEST_SUITE_P(ThreadsInstances, KeyedJoinState,
                         ::testing::Combine(::testing::Values(std::size_t{1}, std::size_t{2}, std::size_t{4}),
                                            ::testing::Values(std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4})),
                         state_param_name);
