// W4, progress: how fast epochs complete through a 4-operator chain, how long it takes from
// advance_to to a probe reporting the epoch complete, the raw tracker's update rate, and how a
// location's frontier keeps up with many outstanding times (OutstandingTimes).
#include <streamweave/streamweave.hpp>

#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <random>
#include <thread>
#include <vector>

namespace sw = streamweave;
namespace swb = streamweave::bench;

namespace {

struct chain {
  sw::graph g{"progress"};
  std::optional<sw::input_handle<std::uint64_t>> in;
  std::optional<sw::probe> done;
  chain() {
    auto [h, s] = g.input<std::uint64_t>("epochs");
    in.emplace(h);
    auto out = s.map([](std::uint64_t x) { return x + 1; }, "op1")
                   .map([](std::uint64_t x) { return x * 3; }, "op2")
                   .filter([](std::uint64_t) { return true; }, "op3")
                   .map([](std::uint64_t x) { return x - 3; }, "op4");
    done.emplace(out.probe());
    out.for_each([](std::uint64_t) {}, "sink");
  }
};

/// One record per epoch, then advance_to(t + 1); the sender waits on the probe for epoch t.
void BM_Progress_EpochsPerSecond(benchmark::State& state) {
  sw::runtime rt(sw::runtime_options{.threads = swb::hardware_threads()});
  const std::uint64_t epochs = swb::records(50'000, 200);
  for (auto _ : state) {
    chain c;
    auto run = rt.run(c.g);
    const std::int64_t start = swb::now_ns();
    for (sw::timestamp t = 0; t < epochs; ++t) {
      c.in->send(t);
      c.in->advance_to(t + 1);
      if (!c.done->wait_until_complete(t, std::chrono::seconds(10))) {
        state.SkipWithError("an epoch did not complete");
        break;
      }
    }
    const double seconds = static_cast<double>(swb::now_ns() - start) * 1e-9;
    state.counters["epochs_per_second"] = static_cast<double>(epochs) / seconds;
    c.in->close();
    run.wait();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(epochs));
}
BENCHMARK(BM_Progress_EpochsPerSecond)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

/// 10k records/s (one every 100 µs, 10 per epoch) over 1,000 epochs: microseconds from
/// advance_to to the probe reporting the epoch complete.
void BM_Progress_EpochLatency(benchmark::State& state) {
  sw::runtime rt(sw::runtime_options{.threads = swb::hardware_threads()});
  const std::uint64_t epochs = swb::records(1000, 20);
  std::vector<double> lat;
  for (auto _ : state) {
    chain c;
    auto run = rt.run(c.g);
    std::int64_t next = swb::now_ns();
    for (sw::timestamp t = 0; t < epochs; ++t) {
      for (int k = 0; k < 10; ++k) {
        next += 100'000;
        swb::pace_until(next);
        c.in->send(t);
        c.in->flush();
      }
      const std::int64_t advanced = swb::now_ns();
      c.in->advance_to(t + 1);
      c.done->wait_until_complete(t, std::chrono::seconds(10));
      lat.push_back(static_cast<double>(swb::now_ns() - advanced));
    }
    c.in->close();
    run.wait();
  }
  state.counters["p50_us"] = swb::percentile(lat, 0.50) / 1000.0;
  state.counters["p99_us"] = swb::percentile(lat, 0.99) / 1000.0;
  state.SetItemsProcessed(static_cast<std::int64_t>(epochs * 10));
}
BENCHMARK(BM_Progress_EpochLatency)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The raw tracker on a random 64-operator DAG: batches of messages flow from two inputs
/// through the graph while the inputs advance their epochs; counts pointstamp updates applied.
void BM_Progress_Tracker(benchmark::State& state) {
  using tracker = sw::progress::tracker<sw::timestamp>;
  constexpr std::size_t ops = 64;
  std::mt19937_64 rng(42);
  // Nodes 0 and 1 are inputs (one output); every other node has 1-2 inputs from earlier nodes.
  std::vector<sw::progress::node_shape<sw::timestamp>> shapes;
  std::vector<std::pair<tracker::port_ref, tracker::port_ref>> edges;
  std::vector<std::vector<std::size_t>> downstream(ops + 2);  // node -> consumer targets' nodes
  for (std::size_t n = 0; n < ops + 2; ++n) {
    const std::size_t inputs = n < 2 ? 0 : 1 + rng() % 2;
    shapes.push_back({"n" + std::to_string(n), inputs, 1, {}});
    for (std::size_t i = 0; i < inputs; ++i) {
      const std::size_t from = rng() % n;
      edges.push_back({{from, 0}, {n, i}});
    }
  }
  tracker tr(shapes, edges);
  std::vector<std::vector<sw::progress::location_id>> targets_of(ops + 2);
  for (const auto& [from, to] : edges) targets_of[from.node].push_back(tr.target(to.node, to.port));
  std::vector<sw::timestamp> epoch(2, 0);
  for (std::size_t i = 0; i < 2; ++i) tr.update(tr.source(i, 0), 0, +1);
  tr.propagate();
  // Messages in flight: (target location, time).
  std::vector<std::pair<sw::progress::location_id, sw::timestamp>> in_flight;
  std::uint64_t updates = 0;
  for (auto _ : state) {
    for (int step = 0; step < 1000; ++step) {
      const auto choice = rng() % 4;
      if (choice == 0 || in_flight.empty()) {  // an input sends one batch to each consumer and maybe advances
        const std::size_t i = rng() % 2;
        for (auto tgt : targets_of[i]) {
          tr.update(tgt, epoch[i], +1);
          in_flight.push_back({tgt, epoch[i]});
          ++updates;
        }
        if (rng() % 4 == 0) {
          tr.update(tr.source(i, 0), epoch[i] + 1, +1);
          tr.update(tr.source(i, 0), epoch[i], -1);
          ++epoch[i];
          updates += 2;
        }
      } else {  // an operator consumes a batch and forwards it downstream
        const std::size_t k = rng() % in_flight.size();
        const auto [loc, t] = in_flight[k];
        in_flight[k] = in_flight.back();
        in_flight.pop_back();
        tr.update(loc, t, -1);
        ++updates;
        for (auto tgt : targets_of[tr.node_of(loc)]) {
          tr.update(tgt, t, +1);
          in_flight.push_back({tgt, t});
          ++updates;
        }
      }
      tr.propagate();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(updates));
}
BENCHMARK(BM_Progress_Tracker)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- OutstandingTimes: one location holding many distinct times -------------------------------
//
// A location (an operator holding a capability per pending window or timer) has `n` distinct
// outstanding times. Each step retires the earliest one (its count drops to zero, so the
// frontier moves) and adds a new one after the latest, the way a sliding set of windows or
// per-auction timers moves. Items: steps (each moves the frontier once). Three ways to keep the
// counts:
//   - StreamWeave: `mutable_antichain<timestamp>` (an ordered map with recycled nodes, and a
//     buffer for updates after the frontier's time).
//   - FullSort: the same counts kept as an update list that is fully sorted and consolidated
//     before every frontier rebuild (how the tracker worked before, and how Timely's
//     ChangeBatch compacts).
//   - StdMap: a `std::map<time, count>` whose frontier is its first positive entry; O(log n)
//     per update, with an allocation per new time.

std::uint64_t outstanding_steps() { return swb::records(200'000, 2'000); }

/// The baselines' frontier: the first time with a positive count in sorted `counts`; counts
/// the frontier changes (a -1 and a +1 each) like `mutable_antichain` reports them.
struct baseline_frontier {
  sw::timestamp frontier = 0;
  std::uint64_t moved = 0;
  template <class Counts>
  void observe(const Counts& counts) {
    const auto first = std::find_if(counts.begin(), counts.end(), [](const auto& e) { return e.second > 0; });
    if (first->first != frontier) {
      frontier = first->first;
      moved += 2;
    }
    benchmark::DoNotOptimize(frontier);
  }
  void check(benchmark::State& state) const {
    if (frontier != outstanding_steps() || moved != 2 * outstanding_steps()) state.SkipWithError("wrong frontier");
  }
};

void BM_OutstandingTimes_StreamWeave(benchmark::State& state) {
  const auto n = static_cast<sw::timestamp>(state.range(0));
  for (auto _ : state) {
    sw::mutable_antichain<sw::timestamp> counts;
    std::vector<std::pair<sw::timestamp, std::int64_t>> changes;
    for (sw::timestamp t = 0; t < n; ++t) counts.update_one(t, +1, changes);
    std::uint64_t moved = 0;
    for (sw::timestamp step = 0; step < outstanding_steps(); ++step) {
      changes.clear();
      counts.update_one(step, -1, changes);
      counts.update_one(step + n, +1, changes);
      moved += changes.size();
      benchmark::DoNotOptimize(counts.frontier().data());
    }
    if (counts.frontier().size() != 1 || counts.frontier()[0] != outstanding_steps() || moved != 2 * outstanding_steps())
      state.SkipWithError("wrong frontier");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * outstanding_steps()));
}
BENCHMARK(BM_OutstandingTimes_StreamWeave)->Arg(1)->Arg(16)->Arg(256)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_OutstandingTimes_FullSort(benchmark::State& state) {
  const auto n = static_cast<sw::timestamp>(state.range(0));
  using entry = std::pair<sw::timestamp, std::int64_t>;
  const auto full_sort = [](std::vector<entry>& v) {
    std::sort(v.begin(), v.end(), [](const entry& a, const entry& b) { return a.first < b.first; });
    std::size_t out = 0;
    for (std::size_t i = 0; i < v.size();) {
      const sw::timestamp key = v[i].first;
      std::int64_t sum = 0;
      for (; i < v.size() && v[i].first == key; ++i) sum += v[i].second;
      if (sum != 0) v[out++] = entry{key, sum};
    }
    v.resize(out);
  };
  for (auto _ : state) {
    std::vector<entry> counts;
    for (sw::timestamp t = 0; t < n; ++t) counts.emplace_back(t, 1);
    baseline_frontier f;
    for (sw::timestamp step = 0; step < outstanding_steps(); ++step) {
      counts.emplace_back(step, -1);
      counts.emplace_back(step + n, +1);
      full_sort(counts);  // the decrement is at the frontier: rebuild it
      f.observe(counts);
    }
    f.check(state);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * outstanding_steps()));
}
BENCHMARK(BM_OutstandingTimes_FullSort)->Arg(1)->Arg(16)->Arg(256)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_OutstandingTimes_StdMap(benchmark::State& state) {
  const auto n = static_cast<sw::timestamp>(state.range(0));
  for (auto _ : state) {
    std::map<sw::timestamp, std::int64_t> counts;
    for (sw::timestamp t = 0; t < n; ++t) counts[t] = 1;
    baseline_frontier f;
    for (sw::timestamp step = 0; step < outstanding_steps(); ++step) {
      const auto it = counts.find(step);
      if (--it->second == 0) counts.erase(it);
      ++counts[step + n];
      f.observe(counts);
    }
    f.check(state);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * outstanding_steps()));
}
BENCHMARK(BM_OutstandingTimes_StdMap)->Arg(1)->Arg(16)->Arg(256)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
