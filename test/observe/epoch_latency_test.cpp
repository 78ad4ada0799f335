// epoch_latency (lib/observe/epoch_latency.hpp): the close events of several inputs and the
// samples each probe records, against a sequential oracle, on seeded random schedules with a
// synthetic clock (so every sample is an exact value). Replay with STREAMWEAVE_SEED=<seed>.
#include "observe/epoch_latency.hpp"

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace sw = streamweave;
using sw::internal::epoch_latency;

namespace {

constexpr sw::timestamp empty = std::numeric_limits<sw::timestamp>::max();

/// The oracle: every close event, and for each probe the events it has passed, by brute force.
struct oracle {
  std::vector<sw::timestamp> inputs;
  std::vector<std::pair<sw::timestamp, std::int64_t>> events;  // (closed below, at)
  std::vector<std::size_t> passed;                             // per probe: events passed
  std::vector<sw::timestamp> frontier;                         // per probe
  std::vector<std::vector<std::uint64_t>> samples;             // per probe

  sw::timestamp smallest() const { return inputs.empty() ? empty : *std::min_element(inputs.begin(), inputs.end()); }
  void move_input(std::size_t k, sw::timestamp t, std::int64_t now) {
    const sw::timestamp before = smallest();
    inputs[k] = t;
    if (smallest() > before) events.push_back({smallest(), now});
  }
  void move_probe(std::size_t p, sw::timestamp f, std::int64_t now) {
    if (f <= frontier[p]) return;
    frontier[p] = f;
    while (passed[p] < events.size() && events[passed[p]].first <= f) {
      samples[p].push_back(static_cast<std::uint64_t>(now - events[passed[p]].second));
      ++passed[p];
    }
  }
};

}  // namespace

TEST(EpochLatency, MatchesTheOracleOnRandomSchedules) {
  for (std::uint64_t seed : sw::testing::seeds(9500, 200)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    const std::size_t inputs = 1 + rng() % 3;
    const std::size_t probes = 1 + rng() % 3;
    epoch_latency log;
    log.start(inputs, probes);
    oracle o;
    o.inputs.assign(inputs, 0);
    o.passed.assign(probes, 0);
    o.frontier.assign(probes, 0);
    o.samples.assign(probes, {});
    for (std::size_t k = 0; k < inputs; ++k) {
      const sw::timestamp t0 = rng() % 3;
      log.set_initial_time(k, t0);
      o.inputs[k] = t0;
    }
    std::int64_t now = 1'000;
    for (int step = 0; step < 300; ++step) {
      now += static_cast<std::int64_t>(rng() % 5000);
      if (rng() % 2 == 0) {
        const std::size_t k = rng() % inputs;
        if (o.inputs[k] == empty) continue;
        const sw::timestamp t = rng() % 40 == 0 ? empty : o.inputs[k] + rng() % 3;
        log.on_input_time(k, t, now);
        o.move_input(k, t, now);
      } else {
        // A probe's frontier never passes the inputs' smallest time (the runtime's safety rule).
        const std::size_t p = rng() % probes;
        const sw::timestamp limit = o.smallest();
        const sw::timestamp f = limit == empty && rng() % 2 == 0 ? empty : o.frontier[p] + rng() % 4;
        const sw::timestamp clamped = std::min(f, limit);
        log.on_probe_frontier(p, clamped, now);
        o.move_probe(p, clamped, now);
      }
    }
    for (std::size_t p = 0; p < probes; ++p) {
      SCOPED_TRACE("probe " + std::to_string(p));
      const sw::latency_histogram h = log.histogram(p);
      auto expected = o.samples[p];
      ASSERT_EQ(h.count(), expected.size());
      if (expected.empty()) continue;
      std::sort(expected.begin(), expected.end());
      std::uint64_t sum = 0;
      for (auto v : expected) sum += v;
      EXPECT_EQ(h.sum_ns(), sum);
      EXPECT_EQ(h.min_ns(), expected.front());
      EXPECT_EQ(h.max_ns(), expected.back());
    }
  }
}

TEST(EpochLatency, AProbeThatNeverMovesKeepsABoundedQueue) {
  epoch_latency log;
  log.start(1, 2);
  log.set_initial_time(0, 0);
  const std::size_t n = epoch_latency::max_waiting_events + 10;
  for (std::size_t t = 1; t <= n; ++t) {
    log.on_input_time(0, t, static_cast<std::int64_t>(t));
    log.on_probe_frontier(0, t, static_cast<std::int64_t>(t) + 5);  // probe 0 follows at once
  }
  EXPECT_EQ(log.histogram(0).count(), n);
  EXPECT_EQ(log.histogram(0).max_ns(), 5u);
  // Probe 1 never moved: only the newest events waited for it; the oldest were dropped.
  log.on_probe_frontier(1, empty, static_cast<std::int64_t>(n) + 100);
  EXPECT_EQ(log.histogram(1).count(), epoch_latency::max_waiting_events);
  EXPECT_EQ(log.histogram(1).max_ns(), static_cast<std::uint64_t>(n + 100 - 11));
}

TEST(EpochLatency, NoProbesKeepNoEventsAndOutOfRangeIndicesAreIgnored) {
  epoch_latency log;
  log.start(1, 0);
  log.set_initial_time(0, 0);
  for (sw::timestamp t = 1; t < 100; ++t) log.on_input_time(0, t, 1);
  log.on_probe_frontier(3, 50, 2);
  log.on_input_time(7, 50, 2);
  EXPECT_EQ(log.histogram(0).count(), 0u);
}
