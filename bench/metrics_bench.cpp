// The cost of the activity counters (runtime_options::metrics, docs/observability.md): each
// workload runs with the counters on (the default) and off, in the same binary, on the same
// work. Target: metrics_on within 2% of metrics_off (items_per_second ratio on/off >= 0.98).
//   - W1f: source -> map -> filter -> sum fused into one loop per partitioned source instance.
//   - W1q: the same with each stage its own node, joined by edge queues.
//   - W3: keyed count, a partitioned source and an exchange by key into one instance per thread.
// BM_Trace_* compare activation tracing on and off the same way (target on/off >= 0.9), and
// BM_Metrics_Snapshot100Nodes times one execution::metrics() call.
#include <streamweave/streamweave.hpp>

#include "bench_support.hpp"
#include "workloads.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace sw = streamweave;
namespace swb = streamweave::bench;

namespace {

constexpr std::uint64_t full_n = 50'000'000;
constexpr std::size_t batch = 1024;
constexpr std::size_t trace_capacity = 1 << 16;  // spans kept per unit

sw::runtime_options options(bool metrics) {
  sw::runtime_options o;
  o.threads = swb::hardware_threads();
  o.batch_size = batch;
  o.metrics = metrics;
  return o;
}

void finish(benchmark::State& state, std::uint64_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

/// W1 (fused or queued) under `o`, checked against the expected sum.
void run_w1(benchmark::State& state, const sw::runtime_options& o, bool fused) {
  const std::uint64_t n = swb::records(full_n);
  sw::runtime rt(o);
  for (auto _ : state) {
    const std::uint64_t sum = fused ? swb::run_pipeline_fused(rt, n, swb::hardware_threads()) : swb::run_pipeline_queued(rt, n);
    if (sum != swb::expected_sum(n)) state.SkipWithError("wrong sum");
  }
  finish(state, n);
}

/// Metrics on, tracing on (trace_on != 0) or off.
sw::runtime_options traced(bool trace_on) {
  sw::runtime_options o = options(true);
  o.trace_capacity = trace_on ? trace_capacity : 0;
  return o;
}

void BM_Metrics_W1Fused(benchmark::State& state) { run_w1(state, options(state.range(0) != 0), true); }
BENCHMARK(BM_Metrics_W1Fused)->ArgName("metrics_on")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Metrics_W1Queued(benchmark::State& state) { run_w1(state, options(state.range(0) != 0), false); }
BENCHMARK(BM_Metrics_W1Queued)->ArgName("metrics_on")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Metrics_W3KeyedCount(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n / 2);
  const std::size_t t = swb::hardware_threads();
  sw::runtime_options o = options(state.range(0) != 0);
  o.batch_size = sw::runtime_options{}.batch_size;  // as keyed_count_bench
  sw::runtime rt(o);
  for (auto _ : state) {
    const auto [total, distinct] = swb::run_keyed_count(rt, n, t);
    if (total != n || distinct == 0) state.SkipWithError("wrong count");
  }
  finish(state, n);
}
BENCHMARK(BM_Metrics_W3KeyedCount)->ArgName("metrics_on")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Activation tracing (runtime_options::trace_capacity) on and off, metrics on in both.
/// Target: trace_on within 10% of trace_off (ratio >= 0.9).
void BM_Trace_W1Fused(benchmark::State& state) { run_w1(state, traced(state.range(0) != 0), true); }
BENCHMARK(BM_Trace_W1Fused)->ArgName("trace_on")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Trace_W1Queued(benchmark::State& state) { run_w1(state, traced(state.range(0) != 0), false); }
BENCHMARK(BM_Trace_W1Queued)->ArgName("trace_on")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

/// One snapshot of a running 100-node graph (an input and a chain of 99 nodes, each its own
/// unit), taken from this thread while the graph idles. Target: <= 50 us.
void BM_Metrics_Snapshot100Nodes(benchmark::State& state) {
  sw::runtime rt(options(true));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  sw::stream<int> at = s;
  for (int i = 0; i < 98; ++i) at = at.map([](int v) { return v + 1; }, "map" + std::to_string(i)).start_new_chain();
  at.for_each([](int) {}, "sink");
  auto ex = rt.run(g);
  for (int i = 0; i < 1000; ++i) in.send(i);
  in.flush();
  std::size_t instances = 0;
  std::int64_t spent_ns = 0;
  for (auto _ : state) {
    const std::int64_t started = swb::now_ns();
    const sw::metrics_snapshot snap = ex.metrics();
    spent_ns += swb::now_ns() - started;
    instances = snap.instances.size();
    benchmark::DoNotOptimize(snap.instances.data());
  }
  state.counters["nodes"] = static_cast<double>(instances + 1);
  state.counters["snapshot_us"] = static_cast<double>(spent_ns) / 1e3 / static_cast<double>(state.iterations());
  in.close();
  ex.wait();
}
BENCHMARK(BM_Metrics_Snapshot100Nodes)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
