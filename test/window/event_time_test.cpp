// Event-time inputs: bounded-disorder watermarks, partitions, idleness (explicit and by
// timeout), and windows fed by them.
#include <streamweave/streamweave.hpp>
#include <streamweave/window/event_time.hpp>

#include "support/small_queues.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

namespace sw = streamweave;

namespace {
struct ev {
  int key;
  sw::timestamp t;
  friend bool operator==(const ev&, const ev&) = default;
};
auto ev_time = [](const ev& e) { return e.t; };
}  // namespace

TEST(EventTime, WatermarkTrailsTheLatestEventByTheDisorderBound) {
  sw::runtime rt;
  sw::graph g;
  auto [in, s] = sw::add_event_time_input<ev>(g, "events", ev_time, {.max_disorder = 5});
  auto got = s.collect();
  auto exec = rt.run(g);
  in.send({1, 3});   // watermark 0 (3 - 5 saturates)
  EXPECT_EQ(in.watermark(), 0u);
  in.send({1, 12});  // 7
  EXPECT_EQ(in.watermark(), 7u);
  in.send({1, 9});   // out of order, within the bound: time stays 7
  EXPECT_EQ(in.watermark(), 7u);
  in.send({1, 4});   // more than 5 behind: sent at 7 > 4
  in.advance_to(20);
  EXPECT_EQ(in.watermark(), 20u);
  in.send({1, 21});  // 16 < 20: time never goes back
  EXPECT_EQ(in.watermark(), 20u);
  in.close();
  exec.wait();
  const std::vector<sw::timed<ev>> expected{{0, {1, 3}}, {7, {1, 12}}, {7, {1, 9}}, {7, {1, 4}}, {20, {1, 21}}};
  EXPECT_EQ(got.items(), expected);
}

TEST(EventTime, IdlePartitionsFollowTheOthers) {
  sw::runtime rt;
  sw::graph g;
  auto [in, s] = sw::add_event_time_input<ev>(g, "events", ev_time, {.max_disorder = 3, .partitions = 2});
  auto got = s.collect();
  auto exec = rt.run(g);
  in.send(0, {1, 10});
  EXPECT_EQ(in.watermark(), 0u);  // partition 1 has sent nothing: it holds time at 0
  in.mark_idle(1);
  EXPECT_EQ(in.watermark(), 7u);  // partition 1 idle: partition 0 alone decides
  in.send(1, {2, 5});             // partition 1 active again, behind: sent at 7, time stays
  EXPECT_EQ(in.watermark(), 7u);
  in.send(0, {1, 20});            // min(17, 5 - 3) = 2 < 7: time stays
  EXPECT_EQ(in.watermark(), 7u);
  in.send(1, {2, 30});            // min(17, 27)
  EXPECT_EQ(in.watermark(), 17u);
  in.mark_idle(0);
  EXPECT_EQ(in.watermark(), 27u);
  in.mark_idle(1);                // everything idle: everything sent so far is complete
  EXPECT_EQ(in.watermark(), 31u);
  EXPECT_THROW(in.send(2, {1, 1}), sw::usage_error);
  in.close();
  exec.wait();
  EXPECT_EQ(got.size(), 4u);
}

TEST(EventTime, IdleTimeoutAdvancesTime) {
  sw::runtime rt;
  sw::graph g;
  auto [in, s] = sw::add_event_time_input<ev>(
      g, "events", ev_time, {.max_disorder = 5, .idle_timeout = std::chrono::milliseconds(1)});
  auto got = s.collect();
  auto exec = rt.run(g);
  in.send({1, 10});
  // Sleeping longer than the timeout makes the partition idle at the next call, whatever the
  // machine's speed; the assertion does not depend on how long anything took.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  in.poll_idle();
  EXPECT_EQ(in.watermark(), 11u);
  in.close();
  exec.wait();
}

TEST(EventTime, IdlenessFiresTheWindowsOfEverythingSent) {
  sw::runtime rt({.threads = 2});
  sw::graph g;
  auto [in, s] = sw::add_event_time_input<ev>(g, "events", ev_time, {.max_disorder = 100});
  auto w = s.key_by([](const ev& e) { return e.key; }, 2).window(sw::tumbling_windows(10), ev_time).count("count");
  auto results = w.output.probe();
  auto out = w.output.collect();
  w.late.for_each([](const ev&) {});
  auto exec = rt.run(g);
  in.send({1, 1});
  in.send({2, 9});
  in.send({1, 19});
  in.mark_idle();  // time 20: [0,10) and [10,20) are complete
  ASSERT_TRUE(results.wait_until_complete(19));
  EXPECT_EQ(out.size(), 3u);
  in.send({1, 5});  // behind time 20: late
  in.close();
  exec.wait();
  EXPECT_EQ(w.stats.late_records(), 1u);
  EXPECT_EQ(out.size(), 3u);
}

TEST(EventTime, TrySendRefusesUnderBackPressureAndTheRecordOfferedAgainIsOnTime) {
  sw::runtime rt(sw::testing::small_queues(1, 2, 1));
  sw::graph g;
  auto [in, s] = sw::add_event_time_input<ev>(g, "events", ev_time, {.max_disorder = 5});
  std::atomic<bool> hold{true};
  auto held = s.inspect([&](const ev&) {
    while (hold.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  auto got = held.collect();
  auto exec = rt.run(g);
  std::vector<ev> accepted;
  ev refused{};
  bool was_refused = false;
  for (int i = 0; i < 1000 && !was_refused; ++i) {
    ev e{i, static_cast<sw::timestamp>(10 + i)};
    const ev copy = e;
    if (in.try_send(0, std::move(e))) {
      accepted.push_back(copy);
    } else {
      EXPECT_EQ(e, copy) << "a refused record is left as it was";
      refused = e;
      was_refused = true;
    }
  }
  ASSERT_TRUE(was_refused) << "try_send must refuse when the graph is back-pressured";
  EXPECT_LT(accepted.size(), 20u);
  // The refused record counted for the watermark (its event time minus the bound) ...
  EXPECT_EQ(in.watermark(), refused.t - 5);
  hold = false;
  in.send(0, std::move(refused));  // ... and, offered again, it is sent at a time <= its event time
  in.close();
  exec.wait();
  const auto items = got.items();
  ASSERT_EQ(items.size(), accepted.size() + 1);
  for (std::size_t i = 0; i < accepted.size(); ++i) EXPECT_EQ(items[i].record, accepted[i]) << i;
  EXPECT_EQ(items.back().record.key, static_cast<int>(accepted.size()));
  for (const auto& item : items) EXPECT_LE(item.time, item.record.t) << "record " << item.record.key << " is late";
}
