// Edge cases of the keyed operators: scenarios that the randomized tests reach only by
// chance, driven into their bad interleaving with probes and state counters.
#include <streamweave/streamweave.hpp>

#include "keyed/join_oracles.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <thread>
#include <vector>

namespace sw = streamweave;
using sw::testing::ev;
using sw::testing::ids;
using sw::testing::key_of;
using sw::testing::stamped;

namespace {

/// Spins until `pred()` holds (no time limit: the test's own timeout catches a hang).
template <class P>
void spin_until(P pred) {
  while (!pred()) std::this_thread::yield();
}

TEST(KeyedEdgeCases, JoinTableAppliesUpdatesInTimestampOrderWhenAnEarlierOneArrivesLate) {
  // The table has two upstream inputs: t1 sends key 1's update at 5 while t2 still holds
  // time 4, and the stream's frontier is already past 5. t2's update at 4 then arrives after
  // the one at 5; the record at 8 must still see the update at 5 (the latest at or before 8).
  sw::runtime_options o;
  o.threads = 2;
  sw::runtime rt(o);
  sw::graph g("table order");
  auto [hs, s] = g.input<ev>("stream");
  auto [ht1, t1] = g.input<ev>("t1");
  auto [ht2, t2] = g.input<ev>("t2");
  sw::keyed_state_stats stats;
  auto ks = s.key_by(key_of, 1);
  auto stream_at_join = ks.exchanged().probe();
  auto out = ks.join_table(t1.concat(t2).key_by(key_of, 1), "lookup", ids, stats).collect();
  auto ex = rt.run(g);

  hs.advance_to(8);
  ASSERT_TRUE(stream_at_join.wait_until_complete(7));  // the join sees the stream at 8
  ht2.advance_to(4);
  ht1.advance_to(5);
  ht1.send(ev{1, 5, 105});
  ht1.close();
  spin_until([&] { return stats.entries() == 1; });  // the update at 5 was received
  ht2.send(ev{1, 4, 104});
  ht2.close();
  hs.send(ev{1, 8, 1});
  hs.close();
  ex.wait();

  const std::vector<stamped> stream{{8, {1, 8, 1}}};
  const std::vector<stamped> updates{{5, {1, 5, 105}}, {4, {1, 4, 104}}};
  EXPECT_EQ(sw::testing::collected(out), sw::testing::table_oracle(stream, updates));
  EXPECT_EQ(stats.entries(), 0);
  EXPECT_EQ(stats.timestamps(), 0);
}


/// `x <= y + z` in exact arithmetic (no overflow).
bool at_most_sum(sw::timestamp x, sw::timestamp y, sw::timestamp z) { return x <= y || x - y <= z; }

/// The interval join rule of keyed/joins.hpp in exact arithmetic.
sw::testing::pairs_by_time exact_interval_oracle(const std::vector<stamped>& as, const std::vector<stamped>& bs,
                                                 sw::timestamp lower, sw::timestamp upper) {
  sw::testing::pairs_by_time out;
  for (const auto& a : as)
    for (const auto& b : bs) {
      const sw::timestamp ea = a.record.event, eb = b.record.event;
      if (a.record.key == b.record.key && at_most_sum(ea, eb, lower) && at_most_sum(eb, ea, upper) &&
          at_most_sum(b.batch, ea, upper) && at_most_sum(a.batch, eb, lower))
        out[std::max(a.batch, b.batch)].push_back({a.record.id, b.record.id});
    }
  sw::testing::sort_values(out);
  return out;
}

TEST(KeyedEdgeCases, IntervalJoinBoundsNearZeroAndTheLargestTimestamp) {
  constexpr sw::timestamp top = std::numeric_limits<sw::timestamp>::max();
  // Key 1: event times near 0 (ea - lower would underflow); key 2: near the top (ea + upper
  // would overflow). Each bound is hit exactly and missed by one.
  const std::vector<stamped> as{{0, {1, 0, 1}}, {1, {1, 2, 2}}, {0, {2, top - 1, 3}}, {2, {2, top - 6, 4}}};
  const std::vector<stamped> bs{{0, {1, 0, 11}}, {1, {1, 1, 12}}, {2, {1, 8, 13}}, {1, {2, top, 14}},
                                {0, {2, top - 9, 15}}, {2, {2, top - 10, 16}}};
  for (sw::timestamp lower : {sw::timestamp{0}, sw::timestamp{3}, top})
    for (sw::timestamp upper : {sw::timestamp{0}, sw::timestamp{6}, top})
      for (bool a_first : {true, false}) {
        SCOPED_TRACE("lower=" + std::to_string(lower) + " upper=" + std::to_string(upper) + " a_first=" +
                     std::to_string(a_first));
        sw::runtime rt;
        sw::graph g("interval edges");
        auto [ha, a] = g.input<ev>("a");
        auto [hb, b] = g.input<ev>("b");
        sw::keyed_state_stats stats;
        auto out = a.key_by(key_of, 2)
                       .interval_join(b.key_by(key_of, 2), lower, upper, sw::testing::event_of, sw::testing::event_of,
                                      "interval", ids, stats)
                       .collect();
        auto ex = rt.run(g);
        sw::testing::epoch_feeder fa(ha, as, 3), fb(hb, bs, 3);
        if (a_first) {
          fa.finish();
          fb.finish();
        } else {
          fb.finish();
          fa.finish();
        }
        ex.wait();
        const auto expected = exact_interval_oracle(as, bs, lower, upper);
        EXPECT_FALSE(expected.empty());
        EXPECT_EQ(sw::testing::collected(out), expected);
        EXPECT_EQ(stats.entries(), 0);
      }
}


/// Runs `make(stream a, stream b, stats)` with state buffered when a user function throws: the
/// error must surface from wait(), naming the operator, and every count must be back at 0 once
/// the execution is gone (keyed/state_stats.hpp).
template <class Make>
void expect_failure_releases_state(Make make) {
  sw::runtime_options o;
  o.threads = 2;
  sw::runtime rt(o);
  sw::graph g("failing keyed");
  auto [ha, a] = g.input<ev>("a");
  auto [hb, b] = g.input<ev>("b");
  sw::keyed_state_stats stats;
  make(a.key_by(key_of, 2), b.key_by(key_of, 2), stats).for_each([](const auto&) {});
  {
    auto ex = rt.run(g);
    for (sw::timestamp t = 0; t < 5; ++t) {
      for (int k = 0; k < 4; ++k) {
        ha.send(ev{k, t + 1, static_cast<int>(10 * t) + k});
        hb.send(ev{k, t + 1, static_cast<int>(10 * t) + k});
      }
      ha.advance_to(t + 1);
    }
    hb.advance_to(6);  // b stays open: state is held on both sides
    ha.send(ev{1, 9, 99});  // the poisoned record
    ha.close();
    try {
      ex.wait();
      ADD_FAILURE() << "expected operator_error";
    } catch (const sw::operator_error& e) {
      EXPECT_EQ(e.node_name(), "failing");
    }
  }
  EXPECT_EQ(stats.entries(), 0);
  EXPECT_EQ(stats.timestamps(), 0);
}

struct poisoned_count {
  std::uint64_t init() const { return 0; }
  void accumulate(std::uint64_t& acc, const ev& r) const {
    if (r.id == 99) throw std::runtime_error("poison");
    ++acc;
  }
  void merge(std::uint64_t& acc, std::uint64_t o) const { acc += o; }
  std::uint64_t finish(std::uint64_t acc) const { return acc; }
};

auto poison_ids = [](const ev& x, const ev& y) {
  if (x.id == 99) throw std::runtime_error("poison");
  return std::pair<int, int>(x.id, y.id);
};
auto poison_time = [](const ev& x) {
  if (x.id == 99) throw std::runtime_error("poison");
  return x.event;
};

TEST(KeyedEdgeCases, AggregateErrorReleasesState) {
  expect_failure_releases_state([](auto a, auto b, auto stats) {
    b.exchanged().for_each([](const ev&) {});
    return a.aggregate("failing", poisoned_count{}, stats);
  });
}
TEST(KeyedEdgeCases, RunningAggregateErrorReleasesState) {
  expect_failure_releases_state([](auto a, auto b, auto stats) {
    b.exchanged().for_each([](const ev&) {});
    return a.running_aggregate("failing", poisoned_count{}, stats);
  });
}
TEST(KeyedEdgeCases, JoinErrorReleasesState) {
  expect_failure_releases_state([&](auto a, auto b, auto stats) { return a.join(b, "failing", poison_ids, stats); });
}
TEST(KeyedEdgeCases, IntervalJoinErrorReleasesState) {
  expect_failure_releases_state([&](auto a, auto b, auto stats) {
    return a.interval_join(b, 2, 2, poison_time, sw::testing::event_of, "failing", ids, stats);
  });
}
TEST(KeyedEdgeCases, JoinTableErrorReleasesState) {
  expect_failure_releases_state([&](auto a, auto b, auto stats) { return a.join_table(b, "failing", poison_ids, stats); });
}

}  // namespace
