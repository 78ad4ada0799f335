// Randomized: keyed tumbling, sliding and session windows and a windowed join on out-of-order
// input (bounded disorder, some records far behind), at 1 to 4 threads, against sequential
// oracles written from the semantics in window/assigners.hpp. Results and late streams are
// compared as sorted multisets of (time, record).
#include <streamweave/streamweave.hpp>
#include <streamweave/window/event_time.hpp>

#include "support/seed.hpp"

#include "support/sequences.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

namespace sw = streamweave;

namespace {

struct rec {
  int key;
  sw::timestamp t;
  std::int64_t id;
  friend bool operator==(const rec&, const rec&) = default;
  friend auto operator<=>(const rec&, const rec&) = default;
};

using row = std::tuple<sw::timestamp, int, sw::timestamp, sw::timestamp, std::int64_t>;  // time, key, start, end, value
using late_row = std::pair<sw::timestamp, rec>;
using pair_row = std::tuple<sw::timestamp, int, sw::timestamp, std::int64_t, std::int64_t>;  // time, key, start, left id, right id

using streamweave::testing::sorted;

struct params {
  std::size_t threads, instances, batch_size;
  int keys;
  sw::timestamp disorder, lateness, size, slide, gap;
};

struct timed_rec {
  sw::timestamp b;  // batch time
  rec r;
};

/// Count and sum of ids: a user aggregator with merge (for sessions).
struct count_sum {
  std::pair<std::int64_t, std::int64_t> init() const { return {0, 0}; }
  void accumulate(std::pair<std::int64_t, std::int64_t>& a, const rec& r) const {
    ++a.first;
    a.second += r.id;
  }
  void merge(std::pair<std::int64_t, std::int64_t>& a, std::pair<std::int64_t, std::int64_t>&& b) const {
    a.first += b.first;
    a.second += b.second;
  }
  std::int64_t finish(std::pair<std::int64_t, std::int64_t>&& a) const { return a.first * 1000000 + a.second; }
};
std::int64_t count_sum_of(std::int64_t n, std::int64_t sum) { return n * 1000000 + sum; }

// ---- oracles ----

sw::timestamp fire_time(sw::timestamp end, sw::timestamp lateness) { return end - 1 + lateness; }

/// Windows [start, end) of size `size` every `slide` containing `t`, clamped at 0.
std::vector<std::pair<sw::timestamp, sw::timestamp>> hopping(sw::timestamp t, sw::timestamp size, sw::timestamp slide) {
  std::vector<std::pair<sw::timestamp, sw::timestamp>> out;
  for (std::int64_t s = static_cast<std::int64_t>(t / slide * slide); s > static_cast<std::int64_t>(t) - static_cast<std::int64_t>(size); s -= static_cast<std::int64_t>(slide))
    out.emplace_back(s < 0 ? 0 : static_cast<sw::timestamp>(s), static_cast<sw::timestamp>(s + static_cast<std::int64_t>(size)));
  return out;
}

/// Non-merging windows: a record counts in each window it is on time for; `value(records)`.
template <class Value>
void oracle_fixed(const std::vector<timed_rec>& in, sw::timestamp size, sw::timestamp slide, sw::timestamp lateness, Value value,
                  std::vector<row>& out, std::vector<late_row>& late) {
  std::map<std::tuple<int, sw::timestamp, sw::timestamp>, std::vector<rec>> windows;
  for (const auto& [b, r] : in) {
    bool on_time = false;
    for (auto [s, e] : hopping(r.t, size, slide))
      if (b <= fire_time(e, lateness)) {
        windows[{r.key, s, e}].push_back(r);
        on_time = true;
      }
    if (!on_time) late.push_back({b, r});
  }
  for (const auto& [k, rs] : windows) out.emplace_back(fire_time(std::get<2>(k), lateness), std::get<0>(k), std::get<1>(k), std::get<2>(k), value(rs));
}

/// Sessions, processed in batch-time order: before time `b`, sessions whose fire time is
/// before `b` close; a record opens [t, t + gap) unless that is late, merging every session of
/// its key it overlaps or touches.
void oracle_sessions(std::vector<timed_rec> in, sw::timestamp gap, sw::timestamp lateness, std::vector<row>& out, std::vector<late_row>& late) {
  struct session {
    sw::timestamp start, end;
    std::int64_t n, sum;
  };
  std::map<int, std::vector<session>> open;
  std::stable_sort(in.begin(), in.end(), [](const timed_rec& a, const timed_rec& b) { return a.b < b.b; });
  auto close_before = [&](sw::timestamp limit) {
    for (auto& [key, ss] : open)
      std::erase_if(ss, [&, key = key](const session& s) {
        if (fire_time(s.end, lateness) >= limit) return false;
        out.emplace_back(fire_time(s.end, lateness), key, s.start, s.end, count_sum_of(s.n, s.sum));
        return true;
      });
  };
  for (const auto& [b, r] : in) {
    close_before(b);
    if (b > fire_time(r.t + gap, lateness)) {
      late.push_back({b, r});
      continue;
    }
    session merged{r.t, r.t + gap, 1, r.id};
    auto& ss = open[r.key];
    std::erase_if(ss, [&](const session& s) {
      if (s.start > merged.end || s.end < merged.start) return false;
      merged = {std::min(merged.start, s.start), std::max(merged.end, s.end), merged.n + s.n, merged.sum + s.sum};
      return true;
    });
    ss.push_back(merged);
  }
  close_before(~sw::timestamp{0});
}

void oracle_join(const std::vector<timed_rec>& left, const std::vector<timed_rec>& right, sw::timestamp size, sw::timestamp lateness,
                 std::vector<pair_row>& out, std::vector<late_row>& late_left, std::vector<late_row>& late_right) {
  auto on_time = [&](const std::vector<timed_rec>& side, std::vector<late_row>& late) {
    std::vector<timed_rec> kept;
    for (const auto& tr : side) {
      const sw::timestamp end = tr.r.t / size * size + size;
      if (tr.b <= fire_time(end, lateness))
        kept.push_back(tr);
      else
        late.push_back({tr.b, tr.r});
    }
    return kept;
  };
  const std::vector<timed_rec> kept_left = on_time(left, late_left);
  const std::vector<timed_rec> kept_right = on_time(right, late_right);
  for (const auto& a : kept_left)
    for (const auto& b : kept_right) {
      const sw::timestamp start = a.r.t / size * size;
      if (a.r.key == b.r.key && start == b.r.t / size * size)
        out.emplace_back(fire_time(start + size, lateness), a.r.key, start, a.r.id, b.r.id);
    }
}

std::vector<late_row> late_rows(const sw::collection<rec>& c) {
  std::vector<late_row> out;
  for (const auto& i : c.items()) out.push_back({i.time, i.record});
  return sorted(out);
}
template <class V>
std::vector<row> result_rows(const sw::collection<sw::window_result<int, V>>& c) {
  std::vector<row> out;
  for (const auto& i : c.items())
    out.emplace_back(i.time, i.record.key, i.record.window.start, i.record.window.end, static_cast<std::int64_t>(i.record.value));
  return sorted(out);
}

void run_seed(std::uint64_t seed, std::size_t threads) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::uint64_t lo, std::uint64_t hi) { return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng); };
  params p{threads, pick(1, 3), pick(1, 8), static_cast<int>(pick(1, 4)), pick(0, 6), pick(0, 1) * pick(1, 4), pick(2, 8), 0, pick(1, 6)};
  p.slide = pick(1, 2 * p.size);  // slide > size: records between windows

  // Event times: a rising base; most records within the disorder bound behind it, some further.
  std::vector<rec> records;
  const std::size_t n = pick(20, 70);
  sw::timestamp base = pick(0, 5);
  for (std::size_t i = 0; i < n; ++i) {
    base += pick(0, 3);
    const sw::timestamp behind = pick(0, 9) == 0 ? pick(0, p.disorder + 10) : pick(0, p.disorder);
    records.push_back({static_cast<int>(pick(0, static_cast<std::uint64_t>(p.keys) - 1)), base > behind ? base - behind : 0, static_cast<std::int64_t>(i)});
  }
  // Batch times as the event-time input assigns them: max event time seen - disorder.
  std::vector<timed_rec> stamped;
  sw::timestamp max_seen = 0, wm = 0;
  for (const rec& r : records) {
    max_seen = std::max(max_seen, r.t);
    wm = std::max(wm, max_seen > p.disorder ? max_seen - p.disorder : 0);
    stamped.push_back({wm, r});
  }
  auto is_right = [](const rec& r) { return r.id % 3 != 1; };
  std::vector<timed_rec> left, right;
  for (const auto& tr : stamped) (is_right(tr.r) ? right : left).push_back(tr);

  // The dataflow.
  sw::runtime_options o;
  o.threads = p.threads;
  o.batch_size = p.batch_size;
  o.queue_capacity = 4;
  sw::runtime rt(o);
  sw::graph g("windows");
  auto key = [](const rec& r) { return r.key; };
  auto time = [](const rec& r) { return r.t; };
  auto [in, s] = sw::add_event_time_input<rec>(g, "events", time, {.max_disorder = p.disorder});
  const sw::window_options wo{.allowed_lateness = p.lateness};
  auto keyed = s.key_by(key, p.instances);
  auto tumbling = keyed.window(sw::tumbling_windows(p.size), time, wo).count("tumbling");
  auto sliding = keyed.window(sw::sliding_windows(p.size, p.slide), time, wo).reduce("sliding", [](const rec& a, const rec& b) {
    return rec{a.key, 0, a.id + b.id};
  });
  auto sessions = keyed.window(sw::session_windows(p.gap), time, wo).aggregate("sessions", count_sum{});
  auto lw = sw::stream<rec>(s.filter([&](const rec& r) { return !is_right(r); })).key_by(key, p.instances).window(sw::tumbling_windows(p.size), time, wo);
  auto rw = sw::stream<rec>(s.filter(is_right)).key_by(key, p.instances).window(sw::tumbling_windows(p.size), time, wo);
  auto joined = lw.join(rw, "join", [](int k, const sw::window& w, const rec& a, const rec& b) {
    return pair_row{0, k, w.start, a.id, b.id};
  });
  auto tumbling_out = tumbling.output.collect();
  auto tumbling_late = tumbling.late.collect();
  auto sliding_out = sliding.output.map([](const auto& r) { return sw::window_result<int, std::int64_t>{r.key, r.window, r.value.id}; }).collect();
  auto sliding_late = sliding.late.collect();
  auto sessions_out = sessions.output.collect();
  auto sessions_late = sessions.late.collect();
  auto joined_out = joined.output.collect();
  auto joined_late = joined.late.collect();
  auto joined_late_other = joined.late_other.collect();
  auto exec = rt.run(g);
  for (const rec& r : records) {
    in.send(r);
    if (pick(0, 7) == 0) in.flush();
  }
  in.close();
  exec.wait();

  std::vector<row> expected;
  std::vector<late_row> expected_late;
  oracle_fixed(stamped, p.size, p.size, p.lateness, [](const std::vector<rec>& rs) { return static_cast<std::int64_t>(rs.size()); }, expected, expected_late);
  EXPECT_EQ(result_rows(tumbling_out), sorted(expected)) << "tumbling";
  EXPECT_EQ(late_rows(tumbling_late), sorted(expected_late)) << "tumbling late";
  EXPECT_EQ(tumbling.stats.late_records(), expected_late.size());
  EXPECT_EQ(tumbling.stats.live_windows(), 0);

  expected.clear();
  expected_late.clear();
  oracle_fixed(stamped, p.size, p.slide, p.lateness, [](const std::vector<rec>& rs) {
    std::int64_t sum = 0;
    for (const rec& r : rs) sum += r.id;
    return sum;
  }, expected, expected_late);
  EXPECT_EQ(result_rows(sliding_out), sorted(expected)) << "sliding";
  EXPECT_EQ(late_rows(sliding_late), sorted(expected_late)) << "sliding late";
  EXPECT_EQ(sliding.stats.live_windows(), 0);

  expected.clear();
  expected_late.clear();
  oracle_sessions(stamped, p.gap, p.lateness, expected, expected_late);
  EXPECT_EQ(result_rows(sessions_out), sorted(expected)) << "sessions";
  EXPECT_EQ(late_rows(sessions_late), sorted(expected_late)) << "sessions late";
  EXPECT_EQ(sessions.stats.live_windows(), 0);
  EXPECT_EQ(sessions.stats.buffered_records(), 0);

  std::vector<pair_row> expected_pairs;
  std::vector<late_row> expected_late_left, expected_late_right;
  oracle_join(left, right, p.size, p.lateness, expected_pairs, expected_late_left, expected_late_right);
  std::vector<pair_row> got_pairs;
  for (const auto& i : joined_out.items()) {
    pair_row r = i.record;
    std::get<0>(r) = i.time;
    got_pairs.push_back(r);
  }
  EXPECT_EQ(sorted(got_pairs), sorted(expected_pairs)) << "join";
  EXPECT_EQ(late_rows(joined_late), sorted(expected_late_left)) << "join late (left)";
  EXPECT_EQ(late_rows(joined_late_other), sorted(expected_late_right)) << "join late (right)";
  EXPECT_EQ(joined.stats.live_windows(), 0);
}

}  // namespace

TEST(WindowRandom, MatchesSequentialOracles) {
  const std::size_t n = sw::testing::runs(100);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i);
    const std::size_t threads = 1 + static_cast<std::size_t>(seed % 4);
    SCOPED_TRACE(sw::testing::seed_note(seed) + " threads=" + std::to_string(threads));
    run_seed(seed, threads);
    if (::testing::Test::HasFailure()) break;
  }
}
