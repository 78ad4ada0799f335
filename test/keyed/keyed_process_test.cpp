// keyed_stream::process (keyed/keyed_process.hpp): per-key state and event-time timers. A timer
// fires once the frontier passes its time, at max(time, the time it was set at), once per
// (key, firing time), for the key that set it, with that key's state; re-arming from on_timer
// works; state is per key and freed by clear_state and at the end; an exception in a callback
// fails the run. The randomized test checks every emitted (key, firing time, value) and its
// emit time against a sequential oracle at 1..4 threads and 1..4 instances. Replay a failure
// with STREAMWEAVE_SEED=<seed>.
#include <streamweave/streamweave.hpp>

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace sw = streamweave;

namespace {

struct rec {
  int key = 0;
  sw::timestamp timer = 0;  // the event time the record asks to be called back at
  std::uint64_t value = 0;
};

/// What a timer emits: its key, the time it fires at, the time it asked for, and the sum of
/// the values of the key's records with a batch time at or before the firing time.
struct fired {
  int key = 0;
  sw::timestamp at = 0;
  sw::timestamp requested = 0;
  std::uint64_t sum = 0;
  friend auto operator<=>(const fired&, const fired&) = default;
};

/// The state the operator keeps per key: its records' (batch time, value).
using seen = std::vector<std::pair<sw::timestamp, std::uint64_t>>;
using context = sw::keyed_process_context<int, seen, fired>;

std::uint64_t sum_until(const seen& s, sw::timestamp t) {
  std::uint64_t sum = 0;
  for (const auto& [b, v] : s)
    if (b <= t) sum += v;
  return sum;
}

/// Timers firing at a multiple of 4 re-arm once, one later (from inside on_timer).
constexpr bool rearms(sw::timestamp at) { return at % 4 == 0; }

auto key_of = [](const rec& r) { return r.key; };
auto remember = [](context& ctx, const rec& r) {
  ctx.state().push_back({ctx.time(), r.value});
  ctx.timer_at(r.timer);
};
auto report = [](context& ctx, sw::timestamp requested) {
  ASSERT_TRUE(ctx.has_state());
  ctx.emit({ctx.key(), ctx.time(), requested, sum_until(ctx.state(), ctx.time())});
  if (rearms(ctx.time())) ctx.timer_at(ctx.time() + 1);
};

struct stamped_rec {
  sw::timestamp batch;
  rec r;
};

/// The oracle: every (key, firing time) once, with the key's sum up to the firing time; firing
/// times come from the records (max of the asked-for and the batch time) and from re-arms.
std::vector<std::tuple<int, sw::timestamp, std::uint64_t>> oracle(const std::vector<stamped_rec>& in) {
  std::set<std::pair<int, sw::timestamp>> timers;
  for (const auto& s : in) timers.insert({s.r.key, std::max(s.r.timer, s.batch)});
  for (const auto& [key, at] : std::set(timers))
    if (rearms(at)) timers.insert({key, at + 1});
  std::vector<std::tuple<int, sw::timestamp, std::uint64_t>> out;
  for (const auto& [key, at] : timers) {
    std::uint64_t sum = 0;
    for (const auto& s : in)
      if (s.r.key == key && s.batch <= at) sum += s.r.value;
    out.emplace_back(key, at, sum);
  }
  return out;
}

}  // namespace

TEST(KeyedProcess, TimersFireOncePerKeyAndTimeWhenTheFrontierPassesWithTheKeysState) {
  sw::runtime rt({.threads = 2});
  sw::graph g("timers");
  auto [in, s] = g.input<rec>("in");
  sw::keyed_state_stats stats;
  auto out = s.key_by(key_of, 2).process<fired, seen>("close", remember, report, stats).collect("fired");
  auto ex = rt.run(g);
  in.send({1, 10, 5});
  in.send({1, 10, 7});  // the same timer again: one firing
  in.send({2, 3, 1});
  in.advance_to(5);     // passes 3: key 2 fires at 3
  in.send({1, 2, 100});  // asks for 2 at batch time 5: fires at 5
  in.advance_to(11);
  in.close();
  ex.wait();
  std::vector<std::pair<sw::timestamp, fired>> got;
  for (const auto& item : out.items()) got.push_back({item.time, item.record});
  std::sort(got.begin(), got.end());
  const std::vector<std::pair<sw::timestamp, fired>> want{
      {3, {2, 3, 3, 1}}, {5, {1, 5, 2, 112}}, {10, {1, 10, 10, 112}}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(stats.entries(), 0);
  EXPECT_EQ(stats.timestamps(), 0);
  EXPECT_GT(stats.peak_entries(), 0);
}

TEST(KeyedProcess, ReArmingFromOnTimerFiresLaterAndClearedStateIsFreshAgain) {
  sw::runtime rt({.threads = 1});
  sw::graph g("rearm");
  auto [in, s] = g.input<rec>("in");
  using ctx_t = sw::keyed_process_context<int, int, std::string>;
  auto out = s.key_by(key_of, 1)
                 .process<std::string, int>(
                     "countdown",
                     [](ctx_t& ctx, const rec& r) {
                       ctx.state() += static_cast<int>(r.value);
                       ctx.timer_at(r.timer);
                     },
                     [](ctx_t& ctx, sw::timestamp t) {
                       const int left = ctx.has_state() ? ctx.state() : -1;
                       ctx.emit(std::to_string(t) + "@" + std::to_string(ctx.time()) + ":" + std::to_string(left));
                       if (left > 1) {
                         ctx.state() = left - 1;
                         ctx.timer_at(t + 1);
                       } else if (left == 1) {
                         ctx.clear_state();
                         ctx.timer_at(t - 1);  // passed already: fires again at t, with no state
                       }
                     })
                 .collect("out");
  auto ex = rt.run(g);
  in.send({0, 1, 3});
  in.close();
  ex.wait();
  std::vector<std::string> got = out.records();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"1@1:3", "2@2:2", "2@3:-1", "3@3:1"}));
}

TEST(KeyedProcess, AnExceptionInOnTimerFailsTheRunNamingTheOperator) {
  sw::runtime rt({.threads = 2});
  sw::graph g("throws");
  auto [in, s] = g.input<rec>("in");
  auto out = s.key_by(key_of, 2)
                 .process<int, int>(
                     "fragile", [](auto& ctx, const rec& r) { ctx.timer_at(r.timer); },
                     [](auto&, sw::timestamp) -> void { throw std::runtime_error("timer broke"); })
                 .collect("out");
  auto ex = rt.run(g);
  in.send({1, 2, 0});
  in.close();
  try {
    ex.wait();
    FAIL() << "the run completed";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "fragile");
  }
}

TEST(KeyedProcess, RandomTimersMatchTheSequentialOracle) {
  for (const std::uint64_t seed : sw::testing::seeds(6200, 40)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    auto pick = [&](std::uint64_t n) { return rng() % n; };
    const std::size_t threads = 1 + pick(4), instances = 1 + pick(4);
    const sw::timestamp epochs = 2 + pick(12);
    std::vector<stamped_rec> in;
    for (sw::timestamp t = 0; t < epochs; ++t)
      for (std::uint64_t i = pick(8); i > 0; --i) {
        // Timers mostly ahead of the batch time, some behind it (already passed).
        const sw::timestamp timer = pick(5) == 0 ? t - std::min<sw::timestamp>(t, pick(3)) : t + pick(6);
        in.push_back({t, {static_cast<int>(pick(6)), timer, 1 + pick(100)}});
      }
    SCOPED_TRACE("threads=" + std::to_string(threads) + " instances=" + std::to_string(instances) + " records=" + std::to_string(in.size()));

    sw::runtime_options options;
    options.threads = threads;
    options.batch_size = 1 + pick(4);
    options.queue_capacity = 4;
    sw::runtime rt(options);
    sw::graph g("random timers");
    auto [handle, s] = g.input<rec>("in");
    sw::keyed_state_stats stats;
    auto out = s.key_by(key_of, instances).process<fired, seen>("timers", remember, report, stats).collect("fired");
    auto ex = rt.run(g);
    sw::timestamp now = 0;
    for (const auto& r : in) {
      if (r.batch != now) handle.advance_to(now = r.batch);
      handle.send(r.r);
    }
    handle.close();
    ex.wait();

    std::vector<std::tuple<int, sw::timestamp, std::uint64_t>> got;
    for (const auto& item : out.items()) {
      EXPECT_EQ(item.time, item.record.at) << "emitted at another time than the timer's";
      EXPECT_LE(item.record.requested, item.record.at);
      got.emplace_back(item.record.key, item.record.at, item.record.sum);
    }
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, oracle(in));
    EXPECT_EQ(stats.entries(), 0) << "state left after the end";
    EXPECT_EQ(stats.timestamps(), 0) << "timers left after the end";
  }
}
