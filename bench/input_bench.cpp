// W5, input handle: one host thread sends records 0..N-1 into map -> sum, the way a service
// feeds an embedded graph. StreamWeave sends each record with `input_handle::send` into an input
// whose map and sum are fused into one unit (the records cross one edge queue, in batches of
// the runtime's batch size); StreamWeaveWriter sends them through an `input_writer` instead
// (no lock per record, one per batch). The baseline is what a careful engineer writes by hand: the host
// fills batches of the same size and hands them to a worker thread over a moodycamel SPSC queue
// of the same depth, the worker maps and sums and returns the empty batch over a second queue.
//   - Input: records per second, unpaced.
//   - InputLatency: paced, a burst of 16 records every 20 µs (800 000 records/s) straight into
//     a sink (no map), each burst handed over at once (`flush()` / a partial batch); each record
//     carries its send time and the sink records send-to-sink latency: p50_us, p99_us, and the
//     CPU cores used (cpu_cores: the hand-written worker spins, the runtime's workers sleep).
//     StreamWeaveIdleSpin is StreamWeave with `runtime_options::idle_spin` = 50 us, longer than
//     the spacing of the bursts, so an idle worker waits for the next one as the hand-written
//     worker does, and runs it without a wake-up; compare cpu_cores too.
#include <streamweave/streamweave.hpp>

#include "bench_support.hpp"
#include "workloads.hpp"

#include <benchmark/benchmark.h>
#include <readerwriterqueue/readerwriterqueue.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace sw = streamweave;
namespace swb = streamweave::bench;

namespace {

constexpr std::uint64_t full_n = 20'000'000;
constexpr std::size_t batch_size = 1024;   // StreamWeave's default
constexpr std::size_t queue_depth = 64;    // StreamWeave's default queue_capacity
constexpr std::size_t burst = 16;          // InputLatency: records per burst
constexpr std::int64_t burst_spacing_ns = 20'000;

std::uint64_t expected_mapped_sum(std::uint64_t n) {
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) s += swb::map_fn(i);
  return s;
}

sw::runtime_options input_options() {
  sw::runtime_options o;
  o.threads = swb::hardware_threads();
  o.batch_size = batch_size;
  o.queue_capacity = queue_depth;
  return o;
}

// ---- the hand-written handoff -------------------------------------------------------------

struct raw_batch {
  std::unique_ptr<std::uint64_t[]> data{new std::uint64_t[batch_size]};
  std::size_t size = 0;
};

using swb::pop_spin;

/// The host side of the handoff: `give(v)` adds a record, `hand_over()` sends the partial
/// batch, `finish()` ends the stream. The worker runs `consume(record)` for every record.
class spsc_handoff {
 public:
  template <class Consume>
  explicit spsc_handoff(Consume consume) : full_(queue_depth), free_(queue_depth + 2) {
    for (std::size_t i = 0; i < queue_depth + 2; ++i) {
      storage_.push_back(std::make_unique<raw_batch>());
      free_.enqueue(storage_.back().get());
    }
    pop_spin(free_, current_);
    worker_ = std::thread([this, consume]() mutable {
      for (;;) {
        raw_batch* b = nullptr;
        pop_spin(full_, b);
        if (b == nullptr) return;
        for (std::size_t k = 0; k < b->size; ++k) consume(b->data[k]);
        b->size = 0;
        while (!free_.try_enqueue(b)) std::this_thread::yield();
      }
    });
  }
  void give(std::uint64_t v) {
    current_->data[current_->size++] = v;
    if (current_->size == batch_size) hand_over();
  }
  void hand_over() {
    if (current_->size == 0) return;
    while (!full_.try_enqueue(current_)) std::this_thread::yield();
    pop_spin(free_, current_);
  }
  void finish() {
    hand_over();
    while (!full_.try_enqueue(nullptr)) std::this_thread::yield();
    worker_.join();
  }

 private:
  moodycamel::ReaderWriterQueue<raw_batch*> full_, free_;
  std::vector<std::unique_ptr<raw_batch>> storage_;
  raw_batch* current_ = nullptr;
  std::thread worker_;
};

// ---- Input: throughput ----------------------------------------------------------------------

void BM_Input_RawSpscHandoff(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  const std::uint64_t expected = expected_mapped_sum(n);
  for (auto _ : state) {
    std::uint64_t sum = 0;
    spsc_handoff h([&sum](std::uint64_t x) { sum += swb::map_fn(x); });
    for (std::uint64_t i = 0; i < n; ++i) h.give(i);
    h.finish();
    if (sum != expected) state.SkipWithError("wrong sum");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Input_RawSpscHandoff)->Unit(benchmark::kMillisecond)->UseRealTime();

/// input -> map -> sum, fed by `send_all(input_handle&, n)`, which sends 0..n-1 and closes.
template <class SendAll>
void input_into_map_and_sum(benchmark::State& state, SendAll send_all) {
  const std::uint64_t n = swb::records(full_n);
  const std::uint64_t expected = expected_mapped_sum(n);
  sw::runtime rt(input_options());
  for (auto _ : state) {
    std::uint64_t sum = 0;
    sw::graph g("input");
    auto [in, s] = g.input<std::uint64_t>("host");
    s.map([](std::uint64_t x) { return swb::map_fn(x); }, "map").for_each([&sum](std::uint64_t y) { sum += y; }, "sum");
    auto run = rt.run(g);
    send_all(in, n);
    run.wait();
    if (sum != expected) state.SkipWithError("wrong sum");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_Input_StreamWeave(benchmark::State& state) {
  input_into_map_and_sum(state, [](sw::input_handle<std::uint64_t>& in, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) in.send(i);
    in.close();
  });
}
BENCHMARK(BM_Input_StreamWeave)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The same graph fed through an `input_writer` (graph/input_writer.hpp): the host thread
/// appends to a batch it owns and takes the input's lock once per batch, as the hand-written
/// handoff does; `input_handle::send` above takes it once per record.
void BM_Input_StreamWeaveWriter(benchmark::State& state) {
  input_into_map_and_sum(state, [](sw::input_handle<std::uint64_t>& in, std::uint64_t n) {
    auto w = in.writer();
    for (std::uint64_t i = 0; i < n; ++i) w.send(i);
    w.close();
  });
}
BENCHMARK(BM_Input_StreamWeaveWriter)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- InputLatency: paced bursts -------------------------------------------------------------

std::size_t bursts() { return static_cast<std::size_t>(swb::records(25'000, 100)); }

/// Sends `bursts()` bursts of `burst` send times, each burst followed by `hand_over()`.
/// Returns the CPU cores the whole process used meanwhile (the hand-written worker spins; the
/// runtime's workers sleep when idle), reported as `cpu_cores` beside the latencies.
template <class Send, class HandOver>
double paced_bursts(Send&& send, HandOver&& hand_over) {
  const double cpu_before = swb::process_cpu_seconds();
  const std::int64_t wall_before = swb::now_ns();
  std::int64_t next = swb::now_ns();
  for (std::size_t k = 0; k < bursts(); ++k) {
    next += burst_spacing_ns;
    swb::pace_until(next);
    for (std::size_t r = 0; r < burst; ++r) send(static_cast<std::uint64_t>(swb::now_ns()));
    hand_over();
  }
  const double wall = static_cast<double>(swb::now_ns() - wall_before) * 1e-9;
  return (swb::process_cpu_seconds() - cpu_before) / wall;
}

void report_latency(benchmark::State& state, std::vector<double>& lat_ns, std::size_t seen, double cpu_cores) {
  if (seen != lat_ns.size()) state.SkipWithError("lost records");
  state.counters["cpu_cores"] = cpu_cores;
  state.counters["p50_us"] = swb::percentile(lat_ns, 0.50) / 1000.0;
  state.counters["p99_us"] = swb::percentile(lat_ns, 0.99) / 1000.0;
  state.SetItemsProcessed(static_cast<std::int64_t>(lat_ns.size()));  // one iteration per run
}

void BM_InputLatency_RawSpscHandoff(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<double> lat(bursts() * burst, 0.0);
    std::size_t seen = 0;  // the worker's only
    spsc_handoff h([&](std::uint64_t sent) {
      if (seen < lat.size()) lat[seen] = static_cast<double>(swb::now_ns() - static_cast<std::int64_t>(sent));
      ++seen;
    });
    const double cores = paced_bursts([&](std::uint64_t t) { h.give(t); }, [&] { h.hand_over(); });
    h.finish();
    report_latency(state, lat, seen, cores);
  }
}
BENCHMARK(BM_InputLatency_RawSpscHandoff)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void input_latency(benchmark::State& state, const sw::runtime_options& options) {
  sw::runtime rt(options);
  for (auto _ : state) {
    std::vector<double> lat(bursts() * burst, 0.0);
    std::size_t seen = 0;  // the sink's only (one instance)
    sw::graph g("input-latency");
    auto [in, s] = g.input<std::uint64_t>("host");
    s.for_each([&](std::uint64_t sent) {
      if (seen < lat.size()) lat[seen] = static_cast<double>(swb::now_ns() - static_cast<std::int64_t>(sent));
      ++seen;
    }, "sink");
    auto run = rt.run(g);
    const double cores = paced_bursts([&](std::uint64_t t) { in.send(t); }, [&] { in.flush(); });
    in.close();
    run.wait();
    report_latency(state, lat, seen, cores);
  }
}

void BM_InputLatency_StreamWeave(benchmark::State& state) { input_latency(state, input_options()); }
BENCHMARK(BM_InputLatency_StreamWeave)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_InputLatency_StreamWeaveIdleSpin(benchmark::State& state) {
  sw::runtime_options o = input_options();
  o.idle_spin = std::chrono::microseconds(50);
  input_latency(state, o);
}
BENCHMARK(BM_InputLatency_StreamWeaveIdleSpin)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
