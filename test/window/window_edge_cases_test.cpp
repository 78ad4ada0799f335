// Edge cases of the windows: assigners against a brute-force oracle of the documented window sets, window
// contents that must contain their records, timer wake-ups after a run, and the event-time
// input under concurrent senders.
#include <streamweave/streamweave.hpp>
#include <streamweave/window/event_time.hpp>

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace sw = streamweave;

namespace {

/// Every window `[s, s + size)` with `s ≡ offset (mod slide)` (s may be negative) that contains
/// `t`, clamped at 0, in increasing start; brute force over candidate starts.
std::vector<sw::window> brute_force(sw::timestamp t, sw::timestamp size, sw::timestamp slide, sw::timestamp offset) {
  std::vector<sw::window> out;
  const auto st = static_cast<std::int64_t>(size), sl = static_cast<std::int64_t>(slide), tt = static_cast<std::int64_t>(t);
  for (std::int64_t s = -4 * (st + sl); s <= tt; ++s) {
    if (((s - static_cast<std::int64_t>(offset)) % sl + sl) % sl != 0) continue;
    if (s <= tt && tt < s + st) out.push_back({static_cast<sw::timestamp>(std::max<std::int64_t>(s, 0)), static_cast<sw::timestamp>(s + st)});
  }
  return out;
}

}  // namespace

TEST(WindowEdgeCases, SlidingAndTumblingAssignExactlyTheWindowsContainingTheRecord) {
  for (sw::timestamp size = 1; size <= 7; ++size)
    for (sw::timestamp slide = 1; slide <= 9; ++slide)
      for (sw::timestamp offset = 0; offset <= 10; ++offset)
        for (sw::timestamp t = 0; t <= 40; ++t) {
          std::vector<sw::window> got;
          sw::sliding_windows(size, slide, offset).assign(t, got);
          const auto expected = brute_force(t, size, slide, offset);
          ASSERT_EQ(got, expected) << "sliding size=" << size << " slide=" << slide << " offset=" << offset << " t=" << t;
          for (const auto& w : got) ASSERT_TRUE(w.contains(t));
          if (slide == size) {
            std::vector<sw::window> tumbling;
            sw::tumbling_windows(size, offset).assign(t, tumbling);
            ASSERT_EQ(tumbling, expected) << "tumbling size=" << size << " offset=" << offset << " t=" << t;
          }
        }
}

TEST(WindowEdgeCases, SlidingWindowsWithGapsHoldOnlyTheirOwnRecords) {
  // size < slide: [0, 5), [10, 15), ...; event times 5..9 belong to no window.
  struct rec {
    int key;
    sw::timestamp t;
  };
  sw::runtime rt({.threads = 2});
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by([](const rec& r) { return r.key; }, 2)
               .window(sw::sliding_windows(5, 10), [](const rec& r) { return r.t; })
               .apply("times", [](int, const sw::window& win, const std::vector<rec>& rs) {
                 return static_cast<std::int64_t>(std::count_if(rs.begin(), rs.end(), [&](const rec& r) { return !win.contains(r.t); }));
               });
  auto out = w.output.collect();
  auto late = w.late.collect();
  auto exec = rt.run(g);
  for (sw::timestamp t = 0; t < 30; ++t) in.send({static_cast<int>(t % 3), t});
  in.close();
  exec.wait();
  ASSERT_FALSE(out.items().empty());
  for (const auto& item : out.items())
    EXPECT_EQ(item.record.value, 0) << "window [" << item.record.window.start << ", " << item.record.window.end << ") holds records outside it";
}

TEST(WindowEdgeCases, TimerWakeUpsAfterTheRunCompletedAreHarmless) {
  // The end of input fires the processing-time windows at once; their timer wake-ups stay
  // pending and come due while the finished execution is still alive (then it is destroyed
  // with more wake-ups pending). Checked for crashes and races (ASan, TSan), not for timing.
  for (int round = 0; round < 3; ++round) {
    sw::runtime rt({.threads = 2});
    sw::graph g;
    auto [in, s] = g.input<std::pair<int, int>>("in");
    auto w = s.key_by([](const auto& r) { return r.first; }, 2).window(sw::processing_time_windows(std::chrono::milliseconds(5))).count("count");
    auto out = w.output.collect();
    w.late.for_each([](const auto&) {});
    auto exec = rt.run(g);
    for (int i = 0; i < 20; ++i) in.send({i % 4, i});
    in.close();
    exec.wait();
    std::uint64_t n = 0;
    for (const auto& r : out.records()) n += r.value;
    EXPECT_EQ(n, 20u);
    EXPECT_EQ(w.stats.live_windows(), 0);
    if (round != 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TEST(WindowEdgeCases, ConcurrentPartitionsSendOnTimeWithinTheDisorderBound) {
  // One thread per partition, each sending event times that rise with some disorder within the
  // bound; other threads poll and raise nothing. Contract: every such record has batch time <=
  // its event time (so it is on time for its windows), and the watermark never goes back.
  struct ev {
    int key;
    sw::timestamp t;
  };
  constexpr std::size_t parts = 4;
  constexpr sw::timestamp disorder = 6;
  constexpr int per_part = 400;
  const std::uint64_t seed = sw::testing::seed_for(0);
  SCOPED_TRACE(sw::testing::seed_note(seed));
  sw::runtime rt({.threads = 2});
  sw::graph g;
  auto [in, s] = sw::add_event_time_input<ev>(g, "events", [](const ev& e) { return e.t; }, {.max_disorder = disorder, .partitions = parts});
  auto all = s.collect();
  auto w = s.key_by([](const ev& e) { return e.key; }, 2).window(sw::tumbling_windows(5), [](const ev& e) { return e.t; }).count("count");
  auto counted = w.output.collect();
  auto late = w.late.collect();
  auto exec = rt.run(g);
  std::atomic<bool> stop{false};
  std::atomic<bool> backwards{false};
  std::thread watcher([&, in = in] {
    sw::timestamp last = 0;
    while (!stop.load()) {
      const sw::timestamp now = in.watermark();
      if (now < last) backwards = true;
      last = now;
    }
  });
  std::vector<std::thread> senders;
  for (std::size_t p = 0; p < parts; ++p)
    senders.emplace_back([&, p, in = in]() mutable {
      std::mt19937_64 rng(seed + p);
      sw::timestamp base = 0;
      for (int i = 0; i < per_part; ++i) {
        base += rng() % 3;
        const sw::timestamp behind = rng() % (disorder + 1);
        in.send(p, ev{static_cast<int>(rng() % 5), base > behind ? base - behind : 0});
      }
    });
  for (auto& t : senders) t.join();
  stop = true;
  watcher.join();
  in.close();
  exec.wait();
  EXPECT_FALSE(backwards.load());
  ASSERT_EQ(all.size(), parts * per_part);
  for (const auto& item : all.items()) ASSERT_LE(item.time, item.record.t) << "event time " << item.record.t;
  EXPECT_EQ(late.size(), 0u);
  std::uint64_t n = 0;
  for (const auto& r : counted.records()) n += r.value;
  EXPECT_EQ(n, parts * per_part);
}

TEST(WindowEdgeCases, WindowsNearTheLargestTimestampFireOnceWithTheirRecords) {
  // Event and batch times near 2^64 - 1, with and without a lateness that saturates the fire
  // time: every record is counted once in every window containing it; nothing is late.
  constexpr sw::timestamp max = ~sw::timestamp{0};
  struct ev {
    int key;
    sw::timestamp t;
  };
  const std::vector<sw::timestamp> times{max - 40, max - 12, max - 6, max - 5, max - 3, max - 2, max - 1};
  for (const sw::timestamp lateness : {sw::timestamp{0}, sw::timestamp{7}, max}) {
    SCOPED_TRACE("lateness " + std::to_string(lateness));
    sw::runtime rt({.threads = 2});
    sw::graph g;
    auto [in, s] = g.input<ev>("in");
    auto keyed = s.key_by([](const ev& e) { return e.key; }, 2);
    auto time = [](const ev& e) { return e.t; };
    const sw::window_options wo{.allowed_lateness = lateness};
    auto check = [](int, const sw::window& w, const std::vector<ev>& rs) {
      std::int64_t outside = 0;
      for (const ev& e : rs) outside += w.contains(e.t) ? 0 : 1;
      return std::pair<std::int64_t, std::int64_t>{static_cast<std::int64_t>(rs.size()), outside};
    };
    auto tumbling = keyed.window(sw::tumbling_windows(10), time, wo).apply("tumbling", check);
    auto sliding = keyed.window(sw::sliding_windows(10, 4), time, wo).apply("sliding", check);
    auto sessions = keyed.window(sw::session_windows(4), time, wo).apply("sessions", check);
    auto t_out = tumbling.output.collect();
    auto s_out = sliding.output.collect();
    auto x_out = sessions.output.collect();
    auto t_late = tumbling.late.collect();
    auto s_late = sliding.late.collect();
    auto x_late = sessions.late.collect();
    auto exec = rt.run(g);
    in.advance_to(max - 50);
    for (const sw::timestamp t : times) in.send({1, t});
    in.close();
    exec.wait();
    EXPECT_EQ(t_late.size() + s_late.size() + x_late.size(), 0u);
    auto total = [](const auto& c, sw::timestamp expected_fire_cap) {
      std::int64_t n = 0;
      for (const auto& item : c.items()) {
        EXPECT_EQ(item.record.value.second, 0) << "[" << item.record.window.start << ", " << item.record.window.end << ")";
        EXPECT_LE(item.time, expected_fire_cap);
        n += item.record.value.first;
      }
      return n;
    };
    // Each record in exactly one tumbling window and one session; in 2 or 3 sliding windows.
    EXPECT_EQ(total(t_out, max - 1), static_cast<std::int64_t>(times.size()));
    EXPECT_EQ(total(x_out, max - 1), static_cast<std::int64_t>(times.size()));
    std::int64_t sliding_expected = 0;
    for (const sw::timestamp t : times) {
      std::vector<sw::window> ws;
      sw::sliding_windows(10, 4).assign(t, ws);
      for (const auto& w : ws) sliding_expected += w.contains(t) ? 1 : 0;
    }
    EXPECT_EQ(total(s_out, max - 1), sliding_expected);
  }
}

TEST(WindowEdgeCases, AnOnTimeRecordAfterATouchingSessionFiredStartsANewSession) {
  // docs/time-and-windows.md, "Late data": gap 5, no lateness. [0, 5) fires at 4; a record at 3
  // with batch time 5 is on time for [3, 8) but cannot reopen [0, 5).
  struct ev {
    int key;
    sw::timestamp t;
  };
  sw::runtime rt({.threads = 2});
  sw::graph g;
  auto [in, s] = g.input<ev>("in");
  auto w = s.key_by([](const ev& e) { return e.key; }, 2).window(sw::session_windows(5), [](const ev& e) { return e.t; }).count("sessions");
  auto out = w.output.collect();
  auto late = w.late.collect();
  auto exec = rt.run(g);
  in.send({1, 0});
  in.advance_to(5);
  in.send({1, 3});
  in.close();
  exec.wait();
  std::vector<std::tuple<sw::timestamp, sw::timestamp, sw::timestamp, std::uint64_t>> got;
  for (const auto& item : out.items()) got.emplace_back(item.time, item.record.window.start, item.record.window.end, item.record.value);
  std::sort(got.begin(), got.end());
  const std::vector<std::tuple<sw::timestamp, sw::timestamp, sw::timestamp, std::uint64_t>> expected{{4, 0, 5, 1}, {7, 3, 8, 1}};
  EXPECT_EQ(got, expected);
  EXPECT_EQ(late.size(), 0u);
}
