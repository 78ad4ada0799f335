// W3, keyed count: key = fmix64(i) % 100000 for i = 0..N-1, count records per key.
#include <streamweave/streamweave.hpp>

#include "bench_support.hpp"
#include "workloads.hpp"

#include <benchmark/benchmark.h>
#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sw = streamweave;
namespace swb = streamweave::bench;

namespace {

constexpr std::uint64_t full_n = 20'000'000;
constexpr std::uint64_t keys = swb::keyed_count_keys;
using swb::key_of;

/// Checks the counts: every record counted once, and per-key totals sum to N.
void check(benchmark::State& state, std::uint64_t total, std::size_t distinct, std::uint64_t n) {
  if (total != n) state.SkipWithError("wrong total count");
  if (n >= 10 * keys && distinct != keys) state.SkipWithError("wrong number of keys");
}

void BM_KeyedCount_SingleThreadMap(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  for (auto _ : state) {
    std::unordered_map<std::uint64_t, std::uint64_t> counts;
    for (std::uint64_t i = 0; i < n; ++i) ++counts[key_of(i)];
    std::uint64_t total = 0;
    for (const auto& [k, c] : counts) total += c;
    check(state, total, counts.size(), n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_KeyedCount_SingleThreadMap)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Two threads, each producing half the records and owning half of the keys, exchanging batches
/// of keys over SPSC queues (routing indexes the buffer, no branch). Two forms:
///   - RawExchange: a key goes to thread `key & 1`, and a thread counts the full batches of its
///     own keys in place, so only the other half crosses a queue.
///   - RawExchangeSameWork: what StreamWeave's exchange does: the destination is
///     `exchange_destination(std::hash(key), 2)` (a hash mix and a multiply-shift, needed for
///     keys that are not evenly spread integers), and every full batch, the thread's own ones
///     included, goes through a queue to its counter.
template <bool same_work>
void raw_exchange_count(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  constexpr std::size_t batch = 1024;
  struct raw_batch {
    std::uint64_t keys[batch];
    std::size_t size = 0;
  };
  const auto destination = [](std::uint64_t k) -> std::size_t {
    if constexpr (same_work)
      return sw::exchange_destination(static_cast<std::uint64_t>(std::hash<std::uint64_t>{}(k)), 2);
    else
      return k & 1;
  };
  for (auto _ : state) {
    // to[me][from]: batches for thread `me` from thread `from` (one producer per queue).
    std::vector<std::unique_ptr<moodycamel::ReaderWriterQueue<raw_batch*>>> queues;
    for (int q = 0; q < 4; ++q) queues.push_back(std::make_unique<moodycamel::ReaderWriterQueue<raw_batch*>>(256));
    const auto to = [&](std::size_t me, std::size_t from) -> moodycamel::ReaderWriterQueue<raw_batch*>& {
      return *queues[me * 2 + from];
    };
    std::atomic<int> producers_done{0};
    std::unordered_map<std::uint64_t, std::uint64_t> counts[2];
    auto worker = [&](std::size_t me) {
      auto& mine = counts[me];
      raw_batch* out[2] = {new raw_batch, new raw_batch};
      auto drain = [&] {
        raw_batch* in = nullptr;
        for (std::size_t from = 0; from < 2; ++from)
          while (to(me, from).try_dequeue(in)) {
            for (std::size_t k = 0; k < in->size; ++k) ++mine[in->keys[k]];
            delete in;
          }
      };
      for (std::uint64_t i = n * me / 2; i < n * (me + 1) / 2; ++i) {
        const std::uint64_t k = key_of(i);
        const std::size_t d = destination(k);
        raw_batch* b = out[d];
        b->keys[b->size++] = k;
        if (b->size == batch) {
          if (!same_work && d == me) {
            for (std::size_t j = 0; j < batch; ++j) ++mine[b->keys[j]];
            b->size = 0;
          } else {
            to(d, me).enqueue(b);
            out[d] = new raw_batch;
            drain();
          }
        }
      }
      for (std::size_t d = 0; d < 2; ++d) to(d, me).enqueue(out[d]);
      producers_done.fetch_add(1);
      while (producers_done.load() < 2) drain();
      drain();
    };
    std::thread a(worker, 0);
    std::thread b(worker, 1);
    a.join();
    b.join();
    std::uint64_t total = 0;
    for (auto& c : counts)
      for (const auto& [k, v] : c) total += v;
    check(state, total, counts[0].size() + counts[1].size(), n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_KeyedCount_RawExchange(benchmark::State& state) { raw_exchange_count<false>(state); }
BENCHMARK(BM_KeyedCount_RawExchange)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_KeyedCount_RawExchangeSameWork(benchmark::State& state) { raw_exchange_count<true>(state); }
BENCHMARK(BM_KeyedCount_RawExchangeSameWork)->Unit(benchmark::kMillisecond)->UseRealTime();

/// StreamWeave: a partitioned source, an exchange by key into one instance per thread, and a
/// count per key in a generic operator that emits its counts when the epoch completes.
void BM_KeyedCount_StreamWeave(benchmark::State& state) {
  const std::uint64_t n = swb::records(full_n);
  const std::size_t t = swb::hardware_threads();
  sw::runtime rt(sw::runtime_options{.threads = t});
  for (auto _ : state) {
    const auto [total, distinct] = swb::run_keyed_count(rt, n, t);
    check(state, total, static_cast<std::size_t>(distinct), n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_KeyedCount_StreamWeave)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
