// The timer service behind `activation::wake_at` (scheduler/timer_service.hpp), on units of a
// manual execution: a wake-up schedules its unit no earlier than its deadline, earlier
// deadlines fire first whatever the order of the requests, `stop` drops what is pending and
// ignores later requests, and requests from many threads at once each schedule their unit
// (the manual scheduler aborts if a unit is ever submitted twice at once). Seeds are printed;
// replay with STREAMWEAVE_SEED=<seed>.
#include "scheduler/manual_scheduler.hpp"
#include "scheduler/timer_service.hpp"
#include "support/seed.hpp"
#include "support/watchdog.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sw = streamweave;
using sw::internal::timer_service;
using sw::testing::manual_execution;
using namespace std::chrono_literals;

namespace {

/// Two inputs, each read by its own operator ("a" and "b"), so two units to wake.
struct two_units {
  two_units() {
    auto [in_a, a] = g.input<int>("in_a");
    auto [in_b, b] = g.input<int>("in_b");
    pass_on(a, "a");
    pass_on(b, "b");
  }
  static void pass_on(const sw::stream<int>& s, const char* name) {
    s.unary<int>(name, [](sw::operator_setup&) {
       return [](sw::unary_context<int, int>& ctx) {
         ctx.input.for_each([&](sw::input_batch<int>& b) {
           auto cap = b.retain();
           for (int v : b.records()) ctx.output.give(cap, v);
         });
       };
     }).for_each([](int) {});
  }
  sw::graph g;
};

/// Starts `run`, finds the units named `names` while start() has them queued (throws when one
/// is missing), then runs everything so that every unit is idle.
std::vector<sw::internal::unit*> start_idle(manual_execution& run, std::initializer_list<const char*> names) {
  run.exec->start();
  std::vector<sw::internal::unit*> found;
  for (const char* n : names) {
    found.push_back(run.sched->find(n));
    if (found.back() == nullptr) throw std::logic_error(std::string("no unit named ") + n);
  }
  run.sched->drain();
  return found;
}

/// Polls until `node` is queued; false after `limit`.
bool wait_queued(const sw::testing::manual_scheduler& s, const char* node, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (s.queued(node) == 0) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(200us);
  }
  return true;
}

}  // namespace

TEST(TimerService, WakesTheUnitNoEarlierThanItsDeadline) {
  two_units t;
  manual_execution run(t.g);
  const auto units = start_idle(run, {"a"});
  timer_service timers;  // destroyed (stopped) before the execution
  const auto asked = std::chrono::steady_clock::now();
  timers.wake_at(asked + 30ms, units[0]);
  const std::size_t queued_early = run.sched->queued("a");
  if (std::chrono::steady_clock::now() - asked < 30ms) {
    EXPECT_EQ(queued_early, 0u) << "woken before its deadline";
  }
  ASSERT_TRUE(wait_queued(*run.sched, "a", 10s)) << "the wake-up never came";
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 30ms);
}

TEST(TimerService, EarlierDeadlinesFireFirstWhateverTheOrderOfRequests) {
  two_units t;
  manual_execution run(t.g);
  const auto units = start_idle(run, {"a", "b"});
  timer_service timers;
  const auto now = std::chrono::steady_clock::now();
  timers.wake_at(now + 5s, units[1]);    // asked first, due last
  timers.wake_at(now + 20ms, units[0]);  // asked second, due first: must not wait behind "b"
  ASSERT_TRUE(wait_queued(*run.sched, "a", 4s)) << "the earlier deadline waited for the later one";
  const std::size_t b_queued = run.sched->queued("b");
  if (std::chrono::steady_clock::now() < now + 5s) {
    EXPECT_EQ(b_queued, 0u) << "woken before its deadline";
  }
}

TEST(TimerService, StopDropsPendingWakeUpsAndIgnoresLaterRequests) {
  two_units t;
  manual_execution run(t.g);
  const auto units = start_idle(run, {"a"});
  // A wake-up that fell due before stop() ran may rightly fire (on a slow or loaded machine the
  // gap between wake_at and stop can exceed the deadline), so the check counts only attempts in
  // which stop() returned before the deadline; it retries until one does.
  bool checked = false;
  for (int attempt = 0; attempt < 20 && !checked; ++attempt) {
    run.sched->drain();
    timer_service timers;
    const auto deadline = std::chrono::steady_clock::now() + 50ms;
    timers.wake_at(deadline, units[0]);
    timers.stop();
    const bool stopped_before_deadline = std::chrono::steady_clock::now() < deadline;
    timers.stop();  // idempotent
    timers.wake_at(std::chrono::steady_clock::now(), units[0]);
    EXPECT_EQ(timers.pending(), 0u) << "stop() left wake-ups pending, or a later request was kept";
    std::this_thread::sleep_until(deadline + 100ms);
    if (!stopped_before_deadline) continue;
    EXPECT_EQ(run.sched->queued("a"), 0u) << "a wake-up fired after stop()";
    checked = true;
  }
  EXPECT_TRUE(checked) << "stop() never returned within 50 ms of wake_at in 20 attempts";
}

TEST(TimerService, RequestsFromManyThreadsAllScheduleTheirUnits) {
  for (const std::uint64_t seed : sw::testing::seeds(8100, 10)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    sw::testing::watchdog dog("TimerService threads " + sw::testing::seed_note(seed), 60s);
    two_units t;
    manual_execution run(t.g);
    const auto units = start_idle(run, {"a", "b"});
    timer_service timers;
    const std::size_t submitted_before = run.sched->submissions();
    std::vector<std::thread> askers;
    for (int k = 0; k < 4; ++k)
      askers.emplace_back([&, k] {
        std::mt19937_64 rng(seed * 31 + static_cast<std::uint64_t>(k));
        for (int i = 0; i < 100; ++i) {
          const auto delay = std::chrono::microseconds(rng() % 3000);
          timers.wake_at(std::chrono::steady_clock::now() + delay, units[rng() % 2]);
          if (rng() % 8 == 0) std::this_thread::yield();
        }
      });
    // Meanwhile this thread runs what the timer schedules, so units go idle and are woken again.
    const auto busy_until = std::chrono::steady_clock::now() + 50ms;
    while (std::chrono::steady_clock::now() < busy_until) run.sched->drain();
    for (auto& a : askers) a.join();
    // Every request was due within 3 ms of its asking, so all of them fire soon.
    const auto limit = std::chrono::steady_clock::now() + 10s;
    while (timers.pending() != 0 && std::chrono::steady_clock::now() < limit) {
      run.sched->drain();
      std::this_thread::sleep_for(200us);
    }
    EXPECT_EQ(timers.pending(), 0u) << "requests due long ago have not fired";
    EXPECT_GT(run.sched->submissions(), submitted_before);
    run.sched->drain();
    units[0]->schedule();  // idle again: exactly one new submission each
    units[1]->schedule();
    EXPECT_EQ(run.sched->queued("a"), 1u);
    EXPECT_EQ(run.sched->queued("b"), 1u);
  }
}
