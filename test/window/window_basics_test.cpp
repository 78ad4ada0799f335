// Event-time windows on hand-made inputs: boundaries, empty windows, sessions, lateness, state
// release, count and processing-time windows, joins. At 1, 2 and 4 threads.
#include <streamweave/streamweave.hpp>
#include <streamweave/window/event_time.hpp>

#include "support/sequences.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sw = streamweave;

namespace {

struct rec {
  int key;
  sw::timestamp t;  // event time
  int value;
  friend bool operator==(const rec&, const rec&) = default;
  friend auto operator<=>(const rec&, const rec&) = default;
};

using streamweave::testing::sorted;

/// (batch time, key, window start, window end, value) of every collected result, sorted.
using row = std::tuple<sw::timestamp, int, sw::timestamp, sw::timestamp, std::int64_t>;
template <class V>
std::vector<row> rows(const sw::collection<sw::window_result<int, V>>& c) {
  std::vector<row> out;
  for (const auto& item : c.items())
    out.emplace_back(item.time, item.record.key, item.record.window.start, item.record.window.end, static_cast<std::int64_t>(item.record.value));
  return sorted(out);
}

auto key_of = [](const rec& r) { return r.key; };
auto time_of = [](const rec& r) { return r.t; };

class Windows : public ::testing::TestWithParam<std::size_t> {
 protected:
  sw::runtime_options options() const {
    sw::runtime_options o;
    o.threads = GetParam();
    o.batch_size = 3;
    return o;
  }
};

/// Sends (batch time, record) pairs in order through a plain input, then closes it.
void feed(sw::input_handle<rec>& in, const std::vector<std::pair<sw::timestamp, rec>>& data) {
  for (const auto& [b, r] : data) {
    if (b > in.time()) in.advance_to(b);
    in.send(r);
  }
  in.close();
}

}  // namespace

TEST_P(Windows, TumblingBoundaryEmptyWindowsAndOutputTime) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 2).window(sw::tumbling_windows(10), time_of).count("count");
  auto out = w.output.collect();
  auto late = w.late.collect();
  auto exec = rt.run(g);
  // Event time 10 is exactly the end of [0, 10): it belongs to [10, 20). Nothing in [20, 30).
  feed(in, {{0, {1, 0, 0}}, {0, {1, 9, 0}}, {0, {1, 10, 0}}, {5, {2, 35, 0}}, {9, {1, 39, 0}}});
  exec.wait();
  const std::vector<row> expected{{9, 1, 0, 10, 2}, {19, 1, 10, 20, 1}, {39, 1, 30, 40, 1}, {39, 2, 30, 40, 1}};
  EXPECT_EQ(rows(out), expected);
  EXPECT_EQ(late.size(), 0u);
  EXPECT_EQ(w.stats.live_windows(), 0);
  EXPECT_EQ(w.stats.buffered_records(), 0);
  EXPECT_EQ(w.stats.fired_windows(), 4u);
}

TEST_P(Windows, SlidingRecordInEveryOverlappingWindow) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 3).window(sw::sliding_windows(10, 5), time_of).reduce("sum", [](const rec& a, const rec& b) {
    return rec{a.key, std::max(a.t, b.t), a.value + b.value};
  });
  auto results = w.output.map([](const auto& r) { return sw::window_result<int, std::int64_t>{r.key, r.window, r.value.value}; }).collect();
  w.late.for_each([](const rec&) {});
  auto exec = rt.run(g);
  feed(in, {{0, {1, 7, 1}}, {0, {1, 12, 10}}});
  exec.wait();
  // 7 is in [0,10) and [5,15); 12 in [5,15) and [10,20).
  const std::vector<row> expected{{9, 1, 0, 10, 1}, {14, 1, 5, 15, 11}, {19, 1, 10, 20, 10}};
  EXPECT_EQ(rows(results), expected);
}

TEST_P(Windows, SessionsMergeAndBridge) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 2).window(sw::session_windows(5), time_of).count("sessions");
  auto out = w.output.collect();
  w.late.for_each([](const rec&) {});
  auto exec = rt.run(g);
  feed(in, {{0, {1, 0, 0}},
            {0, {1, 10, 0}},
            {0, {2, 0, 0}},
            {0, {1, 20, 0}},
            {3, {1, 23, 0}},   // extends [20,25) to [20,28)
            {4, {1, 5, 0}},    // [5,10) touches [0,5) and [10,15): one session [0,15)
            {4, {1, 30, 0}}});
  exec.wait();
  const std::vector<row> expected{{4, 2, 0, 5, 1}, {14, 1, 0, 15, 3}, {27, 1, 20, 28, 2}, {34, 1, 30, 35, 1}};
  EXPECT_EQ(rows(out), expected);
  EXPECT_EQ(w.stats.live_windows(), 0);
}

TEST_P(Windows, LatenessBoundIsExact) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 2).window(sw::tumbling_windows(10), time_of, {.allowed_lateness = 5}).count("count");
  auto out = w.output.collect();
  auto late = w.late.collect();
  auto exec = rt.run(g);
  // [0,10) fires at 14: a record with batch time 14 is on time, one with 15 is late.
  feed(in, {{0, {1, 0, 0}}, {14, {1, 3, 0}}, {15, {1, 4, 0}}, {15, {1, 12, 0}}});
  exec.wait();
  const std::vector<row> expected{{14, 1, 0, 10, 2}, {24, 1, 10, 20, 1}};
  EXPECT_EQ(rows(out), expected);
  const std::vector<sw::timed<rec>> expected_late{{15, {1, 4, 0}}};
  EXPECT_EQ(late.items(), expected_late);
  EXPECT_EQ(w.stats.late_records(), 1u);
  EXPECT_EQ(w.stats.live_windows(), 0);
}

TEST_P(Windows, SessionRecordLateForItsOwnWindowGoesToTheLateStream) {
  // The contract decides lateness per assigned window: [e, e + gap) for a session record.
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 1).window(sw::session_windows(5), time_of).count();
  auto out = w.output.collect();
  auto late = w.late.collect();
  auto exec = rt.run(g);
  feed(in, {{0, {1, 0, 0}}, {4, {1, 4, 0}}, {9, {1, 4, 0}}});
  exec.wait();
  const std::vector<row> expected{{8, 1, 0, 9, 2}};
  EXPECT_EQ(rows(out), expected);
  EXPECT_EQ(late.size(), 1u);
}

TEST_P(Windows, RecordsAndApplySeeTheWindowsRecords) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto keyed = s.key_by(key_of, 2);
  auto recs = keyed.window(sw::tumbling_windows(100), time_of).records("records");
  auto applied = keyed.window(sw::tumbling_windows(100), time_of).apply("apply", [](int key, const sw::window& w, const std::vector<rec>& rs) {
    int sum = 0;
    for (const rec& r : rs) sum += r.value;
    return std::to_string(key) + "@" + std::to_string(w.start) + ":" + std::to_string(sum);
  });
  auto got_records = recs.output.collect();
  auto got_applied = applied.output.collect();
  recs.late.for_each([](const rec&) {});
  applied.late.for_each([](const rec&) {});
  auto exec = rt.run(g);
  feed(in, {{0, {1, 1, 1}}, {0, {1, 2, 2}}, {0, {2, 3, 4}}, {0, {1, 150, 8}}});
  exec.wait();
  std::vector<std::string> texts;
  for (const auto& r : got_applied.records()) texts.push_back(r.value);
  EXPECT_EQ(sorted(texts), (std::vector<std::string>{"1@0:3", "1@100:8", "2@0:4"}));
  std::vector<rec> key1_first;
  for (const auto& r : got_records.records())
    if (r.key == 1 && r.window.start == 0) key1_first = sorted(r.value);
  EXPECT_EQ(key1_first, (std::vector<rec>{{1, 1, 1}, {1, 2, 2}}));
  EXPECT_EQ(got_records.size(), 3u);
}

TEST_P(Windows, CountWindowsEmitAtTheLastRecordsTimeAndKeepPartials) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 2).window(sw::count_windows(3)).reduce("sum", [](const rec& a, const rec& b) {
    return rec{a.key, 0, a.value + b.value};
  });
  auto out = w.output.map([](const auto& r) { return sw::window_result<int, std::int64_t>{r.key, r.window, r.value.value}; }).collect();
  w.late.for_each([](const rec&) {});
  auto exec = rt.run(g);
  std::vector<std::pair<sw::timestamp, rec>> data;
  for (int i = 0; i < 7; ++i) data.push_back({static_cast<sw::timestamp>(i), {1, 0, 1 << i}});
  data.push_back({7, {2, 0, 1}});
  data.push_back({8, {2, 0, 1}});
  feed(in, data);
  exec.wait();
  const std::vector<row> expected{{2, 1, 0, 3, 1 + 2 + 4}, {5, 1, 3, 6, 8 + 16 + 32}};
  EXPECT_EQ(rows(out), expected);
  EXPECT_EQ(w.stats.live_windows(), 2);  // key 1's seventh record, key 2's two records
}

TEST_P(Windows, ProcessingTimeWindowsFireWithoutFurtherInput) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 2).window(sw::processing_time_windows(std::chrono::milliseconds(20))).count("count");
  auto out = w.output.collect();
  w.late.for_each([](const rec&) {});
  auto exec = rt.run(g);
  for (int i = 0; i < 3; ++i) in.send({1, 0, i});
  in.flush();
  // The input stays open: only the timer can fire the windows. Wait (generously) until all
  // three records were reported.
  auto reported = [&] {
    std::size_t n = 0;
    for (const auto& r : out.records()) n += r.value;
    return n;
  };
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (reported() < 3 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(reported(), 3u);
  EXPECT_EQ(w.stats.live_windows(), 0);
  in.close();
  exec.wait();
  for (const auto& item : out.items()) EXPECT_EQ(item.time, 0u);  // the records' batch time
}

TEST_P(Windows, ProcessingTimeWindowsFireAtTheEndOfInput) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 2).window(sw::processing_time_windows(std::chrono::hours(1000))).count("count");
  auto out = w.output.collect();
  w.late.for_each([](const rec&) {});
  auto exec = rt.run(g);
  in.advance_to(4);
  in.send({1, 0, 0});
  in.send({2, 0, 0});
  in.close();
  exec.wait();
  ASSERT_EQ(out.size(), 2u);
  for (const auto& item : out.items()) {
    EXPECT_EQ(item.time, 4u);
    EXPECT_EQ(item.record.value, 1u);
  }
}

TEST_P(Windows, JoinEmitsEveryPairOfAKeyAndWindow) {
  sw::runtime rt(options());
  sw::graph g;
  auto [left_in, left] = g.input<rec>("left");
  auto [right_in, right] = g.input<std::pair<int, sw::timestamp>>("right");
  auto lw = left.key_by(key_of, 2).window(sw::tumbling_windows(10), time_of);
  auto rw = right.key_by([](const auto& p) { return p.first; }, 2).window(sw::tumbling_windows(10), [](const auto& p) { return p.second; });
  auto j = lw.join(rw, "join", [](int key, const sw::window& w, const rec& a, const std::pair<int, sw::timestamp>& b) {
    return std::tuple<int, sw::timestamp, int, sw::timestamp>{key, w.start, a.value, b.second};
  });
  auto out = j.output.collect();
  auto late_left = j.late.collect();
  auto late_right = j.late_other.collect();
  auto exec = rt.run(g);
  left_in.send({1, 1, 100});
  left_in.send({1, 2, 200});
  left_in.send({2, 3, 300});  // no partner
  right_in.send({1, 5});
  right_in.send({1, 15});     // no partner in [10, 20)
  right_in.advance_to(12);
  left_in.advance_to(12);
  left_in.send({1, 4, 400});  // late: [0,10) fired at 9
  right_in.send({1, 6});      // late
  left_in.close();
  right_in.close();
  exec.wait();
  using t = std::tuple<int, sw::timestamp, int, sw::timestamp>;
  EXPECT_EQ(sorted(out.records()), (std::vector<t>{{1, 0, 100, 5}, {1, 0, 200, 5}}));
  for (const auto& item : out.items()) EXPECT_EQ(item.time, 9u);
  EXPECT_EQ(late_left.records(), (std::vector<rec>{{1, 4, 400}}));
  EXPECT_EQ(late_right.records(), (std::vector<std::pair<int, sw::timestamp>>{{1, 6}}));
  EXPECT_EQ(j.stats.late_records(), 2u);
  EXPECT_EQ(j.stats.live_windows(), 0);
}

TEST(WindowErrors, UnconsumedLateStreamIsAGraphError) {
  sw::runtime rt;
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 1).window(sw::tumbling_windows(10), time_of).count("counting");
  w.output.for_each([](const auto&) {});
  EXPECT_THROW(rt.run(g), sw::graph_error);
}

TEST(WindowErrors, JoinNeedsTheSameWindows) {
  sw::graph g;
  auto [a_in, a] = g.input<rec>("a");
  auto [b_in, b] = g.input<rec>("b");
  auto wa = a.key_by(key_of, 1).window(sw::tumbling_windows(10), time_of);
  auto wb = b.key_by(key_of, 1).window(sw::tumbling_windows(20), time_of);
  auto f = [](int, const sw::window&, const rec&, const rec&) { return 0; };
  EXPECT_THROW(wa.join(wb, "j", f), sw::usage_error);
  auto wc = b.key_by(key_of, 2).window(sw::tumbling_windows(10), time_of);
  EXPECT_THROW(wa.join(wc, "j", f), sw::usage_error);
  EXPECT_THROW(sw::count_windows(0), sw::usage_error);
  EXPECT_THROW(sw::processing_time_windows(std::chrono::milliseconds(0)), sw::usage_error);
}

TEST(WindowErrors, AggregatorExceptionsFailTheRun) {
  sw::runtime rt;
  sw::graph g;
  auto [in, s] = g.input<rec>("in");
  auto w = s.key_by(key_of, 1).window(sw::tumbling_windows(10), time_of).reduce("throwing sum", [](const rec&, const rec&) -> rec {
    throw std::runtime_error("boom");
  });
  w.output.for_each([](const auto&) {});
  w.late.for_each([](const rec&) {});
  auto exec = rt.run(g);
  in.send({1, 1, 1});
  in.send({1, 2, 1});
  in.close();
  EXPECT_THROW(exec.wait(), sw::operator_error);
}

TEST(WindowFireTime, IsEndMinusOnePlusLatenessSaturating) {
  constexpr sw::timestamp max = ~sw::timestamp{0};
  EXPECT_EQ(sw::detail::window_fire_time({0, 10}, 0), 9u);
  EXPECT_EQ(sw::detail::window_fire_time({0, 10}, 5), 14u);
  EXPECT_EQ(sw::detail::window_fire_time({0, 10}, max), max - 1);
  EXPECT_EQ(sw::detail::window_fire_time({max - 5, max}, 0), max - 1);
  EXPECT_EQ(sw::detail::window_fire_time({max - 5, max - 1}, 1), max - 1);
  EXPECT_EQ(sw::detail::window_fire_time({max - 5, max - 1}, 2), max - 1);
}

INSTANTIATE_TEST_SUITE_P(Threads, Windows, ::testing::Values(1, 2, 4));
