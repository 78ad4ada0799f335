// W1, pipeline: source i = 0..N-1 -> map x -> (x * 2654435761) ^ (x >> 7) -> filter (low bit 0)
// -> sink sums. StreamWeave and its baselines in one binary, so every figure has its reference
// measured in the same run. Two StreamWeave forms, each with the baselines that do the same work:
//   - W1f, StreamWeaveFused: one partitioned source instance per thread, the whole chain fused
//     into one loop per instance; no batch crosses a queue. Baselines: FusedLoopParallel (one
//     hand-written loop per thread over a slice) and TbbParallelReduce (the same range).
//   - W1q, StreamWeaveQueued: three nodes joined by edge queues (source | map+filter | sum), as
//     the hand-written three-stage pipelines RawSpsc (one thread per stage) and
//     TbbParallelPipeline (serial source and sum, its map+filter stage parallel over 2 tokens per
//     thread), at the same batch size. TbbSerialPipeline is the same TBB pipeline with its
//     map+filter stage serial_in_order: the same topology as W1q, one instance per stage.
// FusedLoop (one thread) and the TBB flow graphs are further references. Reports
// items_per_second, and allocs_per_batch for StreamWeave (heap allocations in the middle half of
// the run, counted by a replaced operator new).
#include <streamweave/streamweave.hpp>

#include "bench_support.hpp"
#include "workloads.hpp"
#include "support/counting_new.hpp"

#include <benchmark/benchmark.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <vector>


namespace sw = streamweave;
namespace swb = streamweave::bench;

namespace {

constexpr std::uint64_t full_n = 50'000'000;

using swb::expected_sum;
using swb::keep;
using swb::map_fn;

void check(benchmark::State& state, std::uint64_t got, std::uint64_t n) {
  if (got != expected_sum(n)) state.SkipWithError("wrong sum");
}

void finish(benchmark::State& state, std::uint64_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

// ---- FusedLoop: one thread, one loop ---------------------------------------------------------
void BM_Pipeline_FusedLoop(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t y = map_fn(i);
      if (keep(y)) sum += y;
    }
    benchmark::DoNotOptimize(sum);
    check(state, sum, n);
  }
  finish(state, n);
}
BENCHMARK(BM_Pipeline_FusedLoop)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- FusedLoopParallel: one fused loop per hardware thread over a slice ----------------------
void BM_Pipeline_FusedLoopParallel(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  const std::size_t t = swb::hardware_threads();
  for (auto _ : state) {
    std::vector<swb::padded_u64> sums(t);
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < t; ++k) {
      threads.emplace_back([&, k] {
        std::uint64_t s = 0;
        for (std::uint64_t i = n * k / t; i < n * (k + 1) / t; ++i) {
          const std::uint64_t y = map_fn(i);
          if (keep(y)) s += y;
        }
        sums[k].value = s;
      });
    }
    for (auto& th : threads) th.join();
    std::uint64_t sum = 0;
    for (auto& s : sums) sum += s.value;
    check(state, sum, n);
  }
  finish(state, n);
}
BENCHMARK(BM_Pipeline_FusedLoopParallel)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- TbbParallelReduce: oneTBB splits the range over its workers ---------------------------
void BM_Pipeline_TbbParallelReduce(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  for (auto _ : state) {
    const std::uint64_t sum = tbb::parallel_reduce(
        tbb::blocked_range<std::uint64_t>(0, n), std::uint64_t{0},
        [](const tbb::blocked_range<std::uint64_t>& r, std::uint64_t s) {
          for (std::uint64_t i = r.begin(); i != r.end(); ++i) {
            const std::uint64_t y = map_fn(i);
            if (keep(y)) s += y;
          }
          return s;
        },
        [](std::uint64_t a, std::uint64_t b) { return a + b; });
    check(state, sum, n);
  }
  finish(state, n);
}
BENCHMARK(BM_Pipeline_TbbParallelReduce)->Unit(benchmark::kMillisecond)->UseRealTime();

// A batch buffer for the hand-written baselines: a fixed array and a count (what a careful
// engineer writes: no per-record capacity checks, no zeroing).
struct raw_batch {
  explicit raw_batch(std::size_t capacity) : data(new std::uint64_t[capacity]) {}
  std::unique_ptr<std::uint64_t[]> data;
  std::size_t size = 0;
};

// ---- RawSpsc: 3 threads joined by ReaderWriterQueues of batches, spin-then-yield consumers ----
using swb::pop_spin;

void BM_Pipeline_RawSpsc(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  const auto b = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t depth = 64;
  for (auto _ : state) {
    moodycamel::ReaderWriterQueue<raw_batch*> to_map(depth), to_sink(depth), free1(depth + 2), free2(depth + 2);
    std::vector<std::unique_ptr<raw_batch>> storage;
    for (std::size_t i = 0; i < 2 * (depth + 2); ++i) {
      storage.push_back(std::make_unique<raw_batch>(b));
      (i < depth + 2 ? free1 : free2).enqueue(storage.back().get());
    }
    std::uint64_t sum = 0;
    std::thread source([&] {  // thread 1: the source
      for (std::uint64_t i = 0; i < n;) {
        raw_batch* v = nullptr;
        pop_spin(free1, v);
        const std::uint64_t end = std::min<std::uint64_t>(n, i + b);
        v->size = static_cast<std::size_t>(end - i);
        for (std::size_t k = 0; i < end; ++k, ++i) v->data[k] = i;
        while (!to_map.try_enqueue(v)) std::this_thread::yield();
      }
      while (!to_map.try_enqueue(nullptr)) std::this_thread::yield();
    });
    std::thread mapper([&] {  // thread 2: map and filter
      for (;;) {
        raw_batch* in = nullptr;
        pop_spin(to_map, in);
        if (in == nullptr) break;
        raw_batch* out = nullptr;
        pop_spin(free2, out);
        std::size_t kept = 0;
        for (std::size_t k = 0; k < in->size; ++k) {
          const std::uint64_t y = map_fn(in->data[k]);
          out->data[kept] = y;
          kept += keep(y) ? 1 : 0;
        }
        out->size = kept;
        while (!free1.try_enqueue(in)) std::this_thread::yield();
        while (!to_sink.try_enqueue(out)) std::this_thread::yield();
      }
      while (!to_sink.try_enqueue(nullptr)) std::this_thread::yield();
    });
    std::thread sink([&] {  // thread 3: the sink
      for (;;) {
        raw_batch* in = nullptr;
        pop_spin(to_sink, in);
        if (in == nullptr) break;
        for (std::size_t k = 0; k < in->size; ++k) sum += in->data[k];
        while (!free2.try_enqueue(in)) std::this_thread::yield();
      }
    });
    source.join();
    mapper.join();
    sink.join();
    check(state, sum, n);
  }
  finish(state, n);
}
BENCHMARK(BM_Pipeline_RawSpsc)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- TBB parallel_pipeline: one token = one batch ---------------------------------------------
// `middle` is the map+filter stage's mode: `parallel` lets TBB run it on every core at once (a
// topology W1q's single map node does not have); `serial_in_order` is the same three serial
// stages as W1q and RawSpsc.
void run_tbb_pipeline(benchmark::State& state, tbb::filter_mode middle) {
  const std::uint64_t n = swb::records(full_n);
  const auto b = static_cast<std::uint64_t>(state.range(0));
  const std::size_t tokens = 2 * swb::hardware_threads();
  for (auto _ : state) {
    std::vector<std::unique_ptr<raw_batch>> ring;
    for (std::size_t i = 0; i < tokens; ++i) ring.push_back(std::make_unique<raw_batch>(b));
    std::uint64_t next = 0;
    std::size_t slot = 0;
    std::uint64_t sum = 0;
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, raw_batch*>(tbb::filter_mode::serial_in_order,
                                           [&](tbb::flow_control& fc) -> raw_batch* {
                                             if (next >= n) {
                                               fc.stop();
                                               return nullptr;
                                             }
                                             raw_batch* t = ring[slot++ % tokens].get();
                                             const std::uint64_t end = std::min(n, next + b);
                                             t->size = static_cast<std::size_t>(end - next);
                                             for (std::size_t k = 0; next < end; ++k, ++next) t->data[k] = next;
                                             return t;
                                           }) &
            tbb::make_filter<raw_batch*, raw_batch*>(middle,
                                                     [](raw_batch* t) {
                                                       std::size_t kept = 0;
                                                       for (std::size_t k = 0; k < t->size; ++k) {
                                                         const std::uint64_t y = map_fn(t->data[k]);
                                                         t->data[kept] = y;
                                                         kept += keep(y) ? 1 : 0;
                                                       }
                                                       t->size = kept;
                                                       return t;
                                                     }) &
            tbb::make_filter<raw_batch*, void>(tbb::filter_mode::serial_in_order, [&](raw_batch* t) {
              for (std::size_t k = 0; k < t->size; ++k) sum += t->data[k];
            }));
    check(state, sum, n);
  }
  finish(state, n);
}

void BM_Pipeline_TbbParallelPipeline(benchmark::State& state) { run_tbb_pipeline(state, tbb::filter_mode::parallel); }
BENCHMARK(BM_Pipeline_TbbParallelPipeline)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Pipeline_TbbSerialPipeline(benchmark::State& state) { run_tbb_pipeline(state, tbb::filter_mode::serial_in_order); }
BENCHMARK(BM_Pipeline_TbbSerialPipeline)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- TBB flow graph, one message per record (a smaller N: about 5 M records/s) --------------
void BM_Pipeline_TbbFlowGraphRecord(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n / 25);
  for (auto _ : state) {
    tbb::flow::graph g;
    std::uint64_t next = 0;
    std::uint64_t sum = 0;
    tbb::flow::input_node<std::uint64_t> source(g, [&](tbb::flow_control& fc) -> std::uint64_t {
      if (next >= n) {
        fc.stop();
        return 0;
      }
      return next++;
    });
    tbb::flow::function_node<std::uint64_t, std::uint64_t> map(g, tbb::flow::unlimited, [](std::uint64_t x) { return map_fn(x); });
    using mf = tbb::flow::multifunction_node<std::uint64_t, std::tuple<std::uint64_t>>;
    mf filter(g, tbb::flow::unlimited, [](std::uint64_t y, mf::output_ports_type& ports) {
      if (keep(y)) std::get<0>(ports).try_put(y);
    });
    tbb::flow::function_node<std::uint64_t> sink(g, tbb::flow::serial, [&](std::uint64_t y) {
      sum += y;
      return tbb::flow::continue_msg();
    });
    tbb::flow::make_edge(source, map);
    tbb::flow::make_edge(map, filter);
    tbb::flow::make_edge(tbb::flow::output_port<0>(filter), sink);
    source.activate();
    g.wait_for_all();
    check(state, sum, n);
  }
  finish(state, n);
}
BENCHMARK(BM_Pipeline_TbbFlowGraphRecord)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- TBB flow graph, one vector of the batch size per message --------------------------------
void BM_Pipeline_TbbFlowGraphBatch(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  const auto b = static_cast<std::uint64_t>(state.range(0));
  using vec = std::vector<std::uint64_t>;
  for (auto _ : state) {
    tbb::flow::graph g;
    std::uint64_t next = 0;
    std::uint64_t sum = 0;
    tbb::flow::input_node<vec> source(g, [&](tbb::flow_control& fc) -> vec {
      if (next >= n) {
        fc.stop();
        return {};
      }
      vec v;
      const std::uint64_t end = std::min(n, next + b);
      v.reserve(end - next);
      for (; next < end; ++next) v.push_back(next);
      return v;
    });
    tbb::flow::function_node<vec, vec> map(g, tbb::flow::unlimited, [](vec v) {
      for (auto& x : v) x = map_fn(x);
      return v;
    });
    tbb::flow::function_node<vec, vec> filter(g, tbb::flow::unlimited, [](vec v) {
      std::size_t out = 0;
      for (std::uint64_t y : v)
        if (keep(y)) v[out++] = y;
      v.resize(out);
      return v;
    });
    tbb::flow::function_node<vec> sink(g, tbb::flow::serial, [&](const vec& v) {
      for (std::uint64_t y : v) sum += y;
      return tbb::flow::continue_msg();
    });
    tbb::flow::make_edge(source, map);
    tbb::flow::make_edge(map, filter);
    tbb::flow::make_edge(filter, sink);
    source.activate();
    g.wait_for_all();
    check(state, sum, n);
  }
  finish(state, n);
}
BENCHMARK(BM_Pipeline_TbbFlowGraphBatch)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Runs `run_once()` once per iteration and reports allocs_per_batch: a sleeping sampler reads
/// the allocation counter at 25% and 75% of the previous iteration's duration, so start-up and
/// pool warm-up are left out; about half of the `n / batch` batches flow in between.
template <class RunOnce>
void measure_streamweave(benchmark::State& state, std::uint64_t n, std::size_t batch, RunOnce run_once) {
  double allocs = 0;
  double batches = 0;
  std::chrono::steady_clock::duration last_run{};
  for (auto _ : state) {
    const auto started = std::chrono::steady_clock::now();
    std::uint64_t at_quarter = 0;
    std::uint64_t at_three_quarters = 0;
    std::thread sampler;
    if (last_run.count() > 0) {
      sampler = std::thread([&] {
        std::this_thread::sleep_until(started + last_run / 4);
        at_quarter = streamweave::testing::heap_allocations();
        std::this_thread::sleep_until(started + 3 * last_run / 4);
        at_three_quarters = streamweave::testing::heap_allocations();
      });
    }
    const std::uint64_t sum = run_once();
    last_run = std::chrono::steady_clock::now() - started;
    if (sampler.joinable()) {
      sampler.join();
      allocs += static_cast<double>(at_three_quarters - at_quarter);
      batches += static_cast<double>(n) / 2.0 / static_cast<double>(batch);
    }
    check(state, sum, n);
  }
  finish(state, n);
  state.counters["allocs_per_batch"] = batches > 0 ? allocs / batches : 0;
}

sw::runtime_options pipeline_options(std::size_t batch) {
  sw::runtime_options options;
  options.threads = swb::hardware_threads();
  options.batch_size = batch;
  return options;
}

// ---- W1f, StreamWeaveFused: one fused loop per partitioned source instance ------------------
void BM_Pipeline_StreamWeaveFused(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  const auto b = static_cast<std::size_t>(state.range(0));
  sw::runtime rt(pipeline_options(b));
  measure_streamweave(state, n, b, [&] { return swb::run_pipeline_fused(rt, n, swb::hardware_threads()); });
}
BENCHMARK(BM_Pipeline_StreamWeaveFused)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- W1q, StreamWeaveQueued: source | map+filter | sum over edge queues ----------------------
void BM_Pipeline_StreamWeaveQueued(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  const auto b = static_cast<std::size_t>(state.range(0));
  sw::runtime rt(pipeline_options(b));
  measure_streamweave(state, n, b, [&] { return swb::run_pipeline_queued(rt, n); });
}
BENCHMARK(BM_Pipeline_StreamWeaveQueued)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
