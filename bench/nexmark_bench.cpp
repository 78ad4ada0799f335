// NEXMark Q0-Q8 (docs/examples/nexmark) on StreamWeave against the sequential reference
// implementation (plain C++ and standard containers, bench/nexmark/reference_queries.cpp), on
// the same events, generated before any timing: STREAMWEAVE_NEXMARK_EVENTS events (default
// 2,000,000; 20,000 in the smoke run) at 10 M events/s of event time with `extra` padding, the
// spec's defaults otherwise.
//
//   BM_Nexmark_Q<n>_Sequential              the reference, one thread, reading the events in
//                                           place
//   BM_Nexmark_Q<n>_SequentialOwning        the same work as the dataflow: the reference on
//                                           its own copy of the events (made untimed), freed
//                                           inside the timing, as the graph frees the events
//                                           it took by value; the targets compare with this
//   BM_Nexmark_Q<n>_StreamWeave/<threads>   the events in memory through a partitioned
//                                           event-time source (one slice per thread, moved
//                                           into the graph out of a copy made untimed)
//   BM_Nexmark_Q<n>_StreamWeaveInput/<threads>
//                                           the same events as `nexmark-csv v1` text in memory,
//                                           parsed and checked on the calling thread and sent
//                                           through an event-time input: the input path a
//                                           service uses; it does more work (parsing) than the
//                                           source variant
//
// Items are events; the counters events_per_second and events_per_second_per_thread are what
// the README's NEXMark table shows. Both sides produce the same formatted rows.
#include "bench_support.hpp"
#include "nexmark/csv_format.hpp"
#include "nexmark/dataflow_run.hpp"
#include "nexmark/generator.hpp"
#include "nexmark/reference_queries.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace nx = streamweave::nexmark;
namespace sb = streamweave::bench;

namespace {

std::uint64_t event_count() {
  if (sb::smoke()) return 20'000;
  const char* v = std::getenv("STREAMWEAVE_NEXMARK_EVENTS");
  return v != nullptr ? std::strtoull(v, nullptr, 10) : 2'000'000;
}

nx::generator_config config() {
  nx::generator_config c;
  c.rate = 10'000'000;  // Flink's nexmark.yaml: first-event.rate
  return c;
}

/// The events, generated once, before the first benchmark's timing.
const std::vector<nx::event>& events() {
  static const std::vector<nx::event> all = [] {
    const nx::generator gen(config());
    std::vector<nx::event> out;
    const std::uint64_t n = event_count();
    out.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) out.push_back(gen.at(i));
    return out;
  }();
  return all;
}

/// The same events as a `nexmark-csv v1` file's text, made once.
const std::string& events_text() {
  static const std::string text = [] {
    std::ostringstream s;
    nx::write_csv(nx::generator(config()), event_count(), {}, s);
    return std::move(s).str();
  }();
  return text;
}

void report(benchmark::State& state, std::size_t threads, std::size_t rows) {
  const auto n = static_cast<double>(events().size());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(events().size()));
  state.counters["events_per_second"] = benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["events_per_second_per_thread"] =
      benchmark::Counter(n / static_cast<double>(threads), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["rows"] = static_cast<double>(rows);
}

void sequential(benchmark::State& state, int q) {
  const auto& in = events();
  std::size_t rows = 0;
  for (auto _ : state) {
    const std::vector<std::string> out = nx::reference_rows(q, in);
    rows = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, 1, rows);
}

/// A copy of the events made with the clock stopped, for a variant that owns (and frees,
/// timed) what it reads.
std::vector<nx::event> untimed_copy(benchmark::State& state) {
  state.PauseTiming();
  std::vector<nx::event> copy = events();
  state.ResumeTiming();
  return copy;
}

void sequential_owning(benchmark::State& state, int q) {
  std::size_t rows = 0;
  for (auto _ : state) {
    std::vector<nx::event> in = untimed_copy(state);
    const std::vector<std::string> out = nx::reference_rows(q, in);
    in = {};  // every event's strings, as the graph frees them
    rows = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, 1, rows);
}

nx::dataflow_options options_for(const benchmark::State& state) {
  nx::dataflow_options o;
  o.threads = static_cast<std::size_t>(state.range(0));
  return o;
}

void streamweave_source(benchmark::State& state, int q) {
  std::size_t rows = 0;
  for (auto _ : state) {
    // The graph moves the events out of a copy made with the clock stopped, and frees them as
    // it goes; the moved-from copy is freed timed, as SequentialOwning frees its copy.
    std::vector<nx::event> in = untimed_copy(state);
    const std::vector<std::string> out = nx::run_dataflow(q, in, 0, options_for(state));
    in = {};
    rows = out.size();
  }
  report(state, options_for(state).threads, rows);
}

void streamweave_input(benchmark::State& state, int q) {
  const std::string& text = events_text();
  std::size_t rows = 0;
  for (auto _ : state) {
    std::istringstream in(text);
    const std::vector<std::string> out = nx::run_from_csv(q, in, "events", options_for(state));
    rows = out.size();
  }
  report(state, options_for(state).threads, rows);
}

void thread_counts(benchmark::internal::Benchmark* b) {
  for (std::size_t t = 1; t <= sb::hardware_threads(); t *= 2) b->Arg(static_cast<std::int64_t>(t));
}

/// Registers the three variants of every query.
[[maybe_unused]] const bool registered = [] {
  for (int q = 0; q < nx::query_count; ++q) {
    const std::string prefix = "BM_Nexmark_Q" + std::to_string(q) + "_";
    benchmark::RegisterBenchmark((prefix + "Sequential").c_str(), sequential, q)->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark((prefix + "SequentialOwning").c_str(), sequential_owning, q)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((prefix + "StreamWeave").c_str(), streamweave_source, q)
        ->Apply(thread_counts)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((prefix + "StreamWeaveInput").c_str(), streamweave_input, q)
        ->Apply(thread_counts)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
