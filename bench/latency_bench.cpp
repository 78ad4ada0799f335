// W2, latency: an outside thread injects one record about every 20 µs into map -> map -> sink
// and the sink records the time from send to seeing the record. Every variant is paced the same
// way (a sleeping injector). Counters: p50_us, p99_us, p999_us and cpu_cores (process CPU time
// over wall time while injecting). BM_Latency_StreamWeaveIdle reports the CPU an idle graph uses;
// BM_Latency_StreamWeaveMetricsOff is StreamWeave with runtime_options::metrics off.
#include <streamweave/streamweave.hpp>

#include "bench_support.hpp"

#include <benchmark/benchmark.h>
#include <concurrentqueue/blockingconcurrentqueue.h>
#include <oneapi/tbb/flow_graph.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace sw = streamweave;
namespace swb = streamweave::bench;

namespace {

constexpr std::int64_t spacing_ns = 20'000;

std::size_t samples() { return static_cast<std::size_t>(swb::records(100'000, 200)); }

inline std::int64_t touch(std::int64_t x) { return x ^ 0x5bd1e995; }  // undone by the second map

/// Runs `inject(send_time_ns)` every ~20 µs; `latencies` is filled by the sink.
template <class Inject>
void paced_run(benchmark::State& state, std::vector<double>& latencies, Inject&& inject) {
  const double cpu_before = swb::process_cpu_seconds();
  const std::int64_t wall_before = swb::now_ns();
  std::int64_t next = swb::now_ns();
  for (std::size_t k = 0; k < latencies.size(); ++k) {
    next += spacing_ns;
    swb::pace_until(next);
    inject(swb::now_ns());
  }
  const double wall = static_cast<double>(swb::now_ns() - wall_before) * 1e-9;
  state.counters["cpu_cores"] = (swb::process_cpu_seconds() - cpu_before) / wall;
}

void report(benchmark::State& state, std::vector<double>& lat_ns) {
  state.counters["p50_us"] = swb::percentile(lat_ns, 0.50) / 1000.0;
  state.counters["p99_us"] = swb::percentile(lat_ns, 0.99) / 1000.0;
  state.counters["p999_us"] = swb::percentile(lat_ns, 0.999) / 1000.0;
  // One iteration per run (the benchmarks use Iterations(1)): records per second of wall time.
  state.SetItemsProcessed(static_cast<std::int64_t>(lat_ns.size()));
}

/// StreamWeave with `metrics` (runtime_options::metrics, on by default).
void latency_streamweave(benchmark::State& state, bool metrics) {
  sw::runtime rt(sw::runtime_options{.threads = swb::hardware_threads(), .metrics = metrics});
  for (auto _ : state) {
    std::vector<double> lat(samples(), 0.0);
    std::atomic<std::size_t> seen{0};
    sw::graph g("latency");
    auto [in, s] = g.input<std::int64_t>("injector");
    s.map([](std::int64_t x) { return touch(x); }, "map1")
        .map([](std::int64_t x) { return touch(x); }, "map2")
        .for_each([&](std::int64_t sent) {
          lat[seen.fetch_add(1, std::memory_order_relaxed)] = static_cast<double>(swb::now_ns() - sent);
        }, "sink");
    auto run = rt.run(g);
    paced_run(state, lat, [&](std::int64_t now) {
      in.send(now);
      in.flush();  // hand the record over now instead of waiting for a full batch
    });
    in.close();
    run.wait();
    if (seen.load() != lat.size()) state.SkipWithError("lost records");
    report(state, lat);
  }
}

void BM_Latency_StreamWeave(benchmark::State& state) { latency_streamweave(state, true); }
BENCHMARK(BM_Latency_StreamWeave)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The same with the activity counters off: the cost of `metrics` on latency (docs/observability.md).
void BM_Latency_StreamWeaveMetricsOff(benchmark::State& state) { latency_streamweave(state, false); }
BENCHMARK(BM_Latency_StreamWeaveMetricsOff)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Latency_TbbFlowGraph(benchmark::State& state) {
  tbb::task_arena arena(static_cast<int>(swb::hardware_threads()), 0);
  for (auto _ : state) {
    std::vector<double> lat(samples(), 0.0);
    std::atomic<std::size_t> seen{0};
    tbb::flow::graph g;
    tbb::flow::function_node<std::int64_t, std::int64_t> map1(g, tbb::flow::unlimited, [](std::int64_t x) { return touch(x); });
    tbb::flow::function_node<std::int64_t, std::int64_t> map2(g, tbb::flow::unlimited, [](std::int64_t x) { return touch(x); });
    tbb::flow::function_node<std::int64_t> sink(g, tbb::flow::serial, [&](std::int64_t sent) {
      lat[seen.fetch_add(1, std::memory_order_relaxed)] = static_cast<double>(swb::now_ns() - sent);
      return tbb::flow::continue_msg();
    });
    tbb::flow::make_edge(map1, map2);
    tbb::flow::make_edge(map2, sink);
    paced_run(state, lat, [&](std::int64_t now) { map1.try_put(now); });
    g.wait_for_all();
    if (seen.load() != lat.size()) state.SkipWithError("lost records");
    report(state, lat);
  }
}
BENCHMARK(BM_Latency_TbbFlowGraph)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Latency_RawBlocking(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<double> lat(samples(), 0.0);
    moodycamel::BlockingConcurrentQueue<std::int64_t> q1, q2, q3;
    constexpr std::int64_t stop = -1;
    std::thread a([&] {
      for (std::int64_t x;;) {
        q1.wait_dequeue(x);
        q2.enqueue(x == stop ? stop : touch(x));
        if (x == stop) return;
      }
    });
    std::thread b([&] {
      for (std::int64_t x;;) {
        q2.wait_dequeue(x);
        q3.enqueue(x == stop ? stop : touch(x));
        if (x == stop) return;
      }
    });
    std::size_t seen = 0;
    std::thread c([&] {
      for (std::int64_t x;;) {
        q3.wait_dequeue(x);
        if (x == stop) return;
        lat[seen++] = static_cast<double>(swb::now_ns() - x);
      }
    });
    paced_run(state, lat, [&](std::int64_t now) { q1.enqueue(now); });
    q1.enqueue(stop);
    a.join();
    b.join();
    c.join();
    if (seen != lat.size()) state.SkipWithError("lost records");
    report(state, lat);
  }
}
BENCHMARK(BM_Latency_RawBlocking)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

/// CPU used by a running graph with no data flowing for one second (target: < 1% of a core).
void BM_Latency_StreamWeaveIdle(benchmark::State& state) {
  sw::runtime rt(sw::runtime_options{.threads = swb::hardware_threads()});
  const auto idle = swb::smoke() ? std::chrono::milliseconds(50) : std::chrono::milliseconds(1000);
  for (auto _ : state) {
    sw::graph g("idle");
    auto [in, s] = g.input<std::int64_t>("injector");
    s.map([](std::int64_t x) { return touch(x); }).map([](std::int64_t x) { return touch(x); }).for_each([](std::int64_t) {});
    auto run = rt.run(g);
    in.send(1);  // wake the workers once, then let them go idle
    in.flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const double cpu_before = swb::process_cpu_seconds();
    const std::int64_t wall_before = swb::now_ns();
    std::this_thread::sleep_for(idle);
    const double wall = static_cast<double>(swb::now_ns() - wall_before) * 1e-9;
    state.counters["idle_cpu_pct"] = 100.0 * (swb::process_cpu_seconds() - cpu_before) / wall;
    in.close();
    run.wait();
  }
  state.SetItemsProcessed(0);
}
BENCHMARK(BM_Latency_StreamWeaveIdle)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
