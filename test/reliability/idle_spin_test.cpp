// `runtime_options::idle_spin` (lib/scheduler/tbb_scheduler.cpp): a worker whose unit went
// idle waits in a hand-off slot and runs the next scheduled unit itself. Checked:
//   - every record arrives exactly once, through chains, an exchange and several instances,
//     with one sender sending paced bursts and another thread flushing and advancing, against
//     a sequential count oracle (seeds printed and replayable);
//   - a run completes, and a cancelled run stops, while a worker waits: wait() returns and no
//     record is lost or duplicated (a 1 s spin per wait would show as a watchdog failure);
//   - out-of-range values are rejected with usage_error naming the option.
// Replay a seed with STREAMWEAVE_SEED=<seed>; explore with STREAMWEAVE_SEED_BASE / _RUNS.
#include <streamweave/streamweave.hpp>

#include "support/seed.hpp"
#include "support/watchdog.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {

TEST(IdleSpin, EveryRecordArrivesOnceThroughChainsAndAnExchange) {
  for (const std::uint64_t seed : sw::testing::seeds(9200, 10)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    sw::testing::watchdog dog("IdleSpin " + sw::testing::seed_note(seed), 60s);
    std::mt19937_64 rng(seed);
    sw::runtime_options o;
    o.threads = 1 + rng() % 3;
    o.batch_size = 1 + rng() % 64;
    o.queue_capacity = 1 + rng() % 8;
    o.idle_spin = std::chrono::microseconds(1 + rng() % 300);
    const std::size_t instances = 1 + rng() % 3;
    const std::int64_t n = 2000 + static_cast<std::int64_t>(rng() % 10000);
    sw::runtime rt(o);
    sw::graph g;
    auto [in, s] = g.input<std::int64_t>("in");
    std::mutex m;
    std::vector<int> seen(static_cast<std::size_t>(n), 0);
    s.map([](std::int64_t v) { return v * 3; }, "triple")
        .start_new_chain()
        .exchange([](std::int64_t v) { return v; }, instances)
        .map([](std::int64_t v) { return v / 3; }, "third")
        .for_each(
            [&](std::int64_t v) {
              const std::lock_guard lock(m);
              ++seen.at(static_cast<std::size_t>(v));
            },
            "count");
    auto ex = rt.run(g);
    std::atomic<bool> sender_done{false};
    std::thread controller([&, h = in, control_seed = rng()]() mutable {
      std::mt19937_64 r(control_seed);
      while (!sender_done.load()) {
        if (r() % 2 == 0) h.flush(); else h.advance_to(h.time() + 1);
        std::this_thread::sleep_for(std::chrono::microseconds(r() % 200));
      }
    });
    std::mt19937_64 r(rng());
    for (std::int64_t i = 0; i < n; ++i) {
      in.send(i);
      if (r() % 32 == 0) {  // a burst ends: hand it over and pause, so workers go idle
        in.flush();
        std::this_thread::sleep_for(std::chrono::microseconds(r() % 400));
      }
    }
    sender_done = true;
    controller.join();
    in.close();
    ex.wait();
    for (std::int64_t i = 0; i < n; ++i)
      ASSERT_EQ(seen[static_cast<std::size_t>(i)], 1) << "record " << i << " arrived that many times";
  }
}

// With the longest wait allowed, runs that complete or are cancelled end well before 20
// waits of 1 s each would (20 complete, 20 are cancelled): the waiter gives up when the run is over.
TEST(IdleSpin, RunsEndWhileAWorkerWaits) {
  sw::testing::watchdog dog("IdleSpin.RunsEndWhileAWorkerWaits", 15s);
  sw::runtime_options o;
  o.threads = 2;
  o.batch_size = 8;
  o.idle_spin = sw::runtime_options::max_idle_spin;
  sw::runtime rt(o);
  for (int k = 0; k < 40; ++k) {
    SCOPED_TRACE("run " + std::to_string(k));
    sw::graph g;
    auto [in, s] = g.input<int>("in");
    std::atomic<int> arrived{0};
    s.map([](int v) { return v + 1; }, "inc").for_each([&](int) { arrived.fetch_add(1); }, "sink");
    auto ex = rt.run(g);
    for (int i = 0; i < 20; ++i) in.send(i);
    in.flush();
    std::this_thread::sleep_for(1ms);  // the workers are idle now: one of them waits
    if (k % 2 == 0) {
      in.close();
      ex.wait();
      EXPECT_EQ(arrived.load(), 20);
    } else {
      ex.cancel();
      EXPECT_THROW(ex.wait(), sw::cancelled_error);
      EXPECT_LE(arrived.load(), 20);
    }
  }
}

TEST(IdleSpin, OutOfRangeValuesAreRejectedByName) {
  for (const auto bad : {std::chrono::microseconds(-1), sw::runtime_options::max_idle_spin + std::chrono::microseconds(1)}) {
    sw::runtime_options o;
    o.threads = 1;
    o.idle_spin = bad;
    sw::runtime rt(o);
    sw::graph g;
    auto [in, s] = g.input<int>("in");
    s.for_each([](int) {}, "sink");
    try {
      (void)rt.run(g);
      ADD_FAILURE() << "idle_spin = " << bad.count() << " us was accepted";
    } catch (const sw::usage_error& e) {
      EXPECT_NE(std::string(e.what()).find("idle_spin"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
