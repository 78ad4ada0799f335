// Review regressions of the keyed joins: scenarios that the randomized tests reach only by
// chance, driven into their bad interleaving with probes and state counters.
#include <streamweave/streamweave.hpp>

#include "keyed/join_oracles.hpp"

#include <gtest/gtest.h>

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

TEST(KeyedReview, JoinTableAppliesUpdatesInTimestampOrderWhenAnEarlierOneArrivesLate) {
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

}  // namespace
