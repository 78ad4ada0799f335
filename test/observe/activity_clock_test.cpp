// activity_clock (lib/observe/activity_clock.hpp): the counters' clock never runs backwards on
// one thread, and measures intervals as steady_clock does, whether it reads the TSC or not.
#include "observe/activity_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <thread>

using streamweave::internal::activity_clock;
using namespace std::chrono_literals;

TEST(ActivityClock, NeverRunsBackwardsOnOneThread) {
  std::int64_t last = activity_clock::now_ns();
  for (int i = 0; i < 1'000'000; ++i) {
    const std::int64_t now = activity_clock::now_ns();
    ASSERT_GE(now, last) << "reading " << i;
    last = now;
  }
}

TEST(ActivityClock, MeasuresIntervalsAsSteadyClockDoes) {
  std::cout << "activity_clock reads the " << (activity_clock::uses_tsc() ? "TSC" : "steady_clock") << "\n";
  for (auto sleep : {1ms, 20ms, 100ms}) {
    // Ours brackets steady's interval (read outside it), up to the scale's error (0.01%, here
    // allowed 0.1%) and a few microseconds for the reads themselves. A preemption between the
    // reads (a loaded CI machine) inflates one attempt; a scale error shows in every attempt,
    // so the interval must hold in at least one of five.
    std::int64_t steady = 0, ours = 0;
    bool held = false;
    for (int attempt = 0; attempt < 5 && !held; ++attempt) {
      const std::int64_t a0 = activity_clock::now_ns();
      const std::int64_t s0 = activity_clock::steady_now_ns();
      std::this_thread::sleep_for(sleep);
      const std::int64_t s1 = activity_clock::steady_now_ns();
      const std::int64_t a1 = activity_clock::now_ns();
      steady = s1 - s0;
      ours = a1 - a0;
      held = ours >= steady - steady / 1000 - 2'000 && ours <= steady + steady / 1000 + 200'000;
    }
    EXPECT_TRUE(held) << "slept " << sleep.count() << " ms: activity_clock " << ours << " ns, steady_clock " << steady
                      << " ns, in the last of five attempts";
  }
}

TEST(ActivityClock, AgreesWithSteadyClockAcrossThreads) {
  // A reading taken on another thread after a steady_clock reading here is not earlier than a
  // reading taken here before it, beyond what TSC skew between cores could allow (50 us).
  for (int i = 0; i < 100; ++i) {
    const std::int64_t before = activity_clock::now_ns();
    std::int64_t there = 0;
    std::thread t([&] { there = activity_clock::now_ns(); });
    t.join();
    EXPECT_GE(there, before - 50'000) << "round " << i;
  }
}
