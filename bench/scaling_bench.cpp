// W6, scaling: W1q (the queued pipeline), W1f (the fused pipeline) and W3 (the keyed count) at
// 1, 2, 4 ... threads, up to the machine's hardware threads (and always that count itself).
// The argument is the runtime's thread count; W1f and W3 also run one source instance (and
// one count instance) per thread, W1q keeps its three nodes. tools/bench reports each
// variant's speed-up over its 1-thread run.
#include <streamweave/streamweave.hpp>

#include "bench_support.hpp"
#include "workloads.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace sw = streamweave;
namespace swb = streamweave::bench;

namespace {

constexpr std::uint64_t pipeline_n = 50'000'000;
constexpr std::uint64_t keyed_n = 20'000'000;

sw::runtime_options with_threads(std::size_t threads) {
  sw::runtime_options options;
  options.threads = threads;
  return options;
}

void BM_Scaling_W1q(benchmark::State& state) {
  const std::uint64_t n = swb::records(pipeline_n);
  const std::uint64_t expected = swb::expected_sum(n);  // computed before the timed loop
  sw::runtime rt(with_threads(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state)
    if (swb::run_pipeline_queued(rt, n) != expected) state.SkipWithError("wrong sum");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_Scaling_W1f(benchmark::State& state) {
  const std::uint64_t n = swb::records(pipeline_n);
  const std::uint64_t expected = swb::expected_sum(n);
  const auto threads = static_cast<std::size_t>(state.range(0));
  sw::runtime rt(with_threads(threads));
  for (auto _ : state)
    if (swb::run_pipeline_fused(rt, n, threads) != expected) state.SkipWithError("wrong sum");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_Scaling_W3(benchmark::State& state) {
  const std::uint64_t n = swb::records(keyed_n);
  const auto threads = static_cast<std::size_t>(state.range(0));
  sw::runtime rt(with_threads(threads));
  for (auto _ : state) {
    const auto [total, distinct] = swb::run_keyed_count(rt, n, threads);
    if (total != n) state.SkipWithError("wrong total count");
    if (n >= 10 * swb::keyed_count_keys && distinct != swb::keyed_count_keys) state.SkipWithError("wrong number of keys");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

/// 1, 2, 4 ... below the hardware thread count, then the count itself.
void thread_counts(benchmark::internal::Benchmark* b) {
  const std::size_t most = swb::hardware_threads();
  for (std::size_t t = 1; t < most; t *= 2) b->Arg(static_cast<std::int64_t>(t));
  b->Arg(static_cast<std::int64_t>(most));
}

BENCHMARK(BM_Scaling_W1q)->Apply(thread_counts)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Scaling_W1f)->Apply(thread_counts)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Scaling_W3)->Apply(thread_counts)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
