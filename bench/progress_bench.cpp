// W4, progress: how fast epochs complete through a 4-operator chain, how long it takes from
// advance_to to a probe reporting the epoch complete, and the raw tracker's update rate.
#include <streamweave/streamweave.hpp>

#include "bench_support.hpp"

#include <benchmark/benchmark.h>

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

}  // namespace

BENCHMARK_MAIN();
