#pragma once
// The StreamWeave side of the workloads that more than one benchmark executable runs: W1's
// pipeline in its fused and queued forms and W3's keyed count. pipeline_bench and
// keyed_count_bench compare them with their baselines; scaling_bench runs them at 1, 2, 4 ...
// threads. Each function builds the graph, runs it on `rt` and returns what the caller checks.
#include <streamweave/streamweave.hpp>

#include "bench_support.hpp"

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace streamweave::bench {

// ---- W1: source i = 0..N-1 -> map -> filter -> sum ------------------------------------------

inline std::uint64_t map_fn(std::uint64_t x) { return (x * 2654435761ULL) ^ (x >> 7); }
inline bool keep(std::uint64_t x) { return (x & 1) == 0; }

/// The sum W1 must produce for `n` records (cached for the last `n`).
inline std::uint64_t expected_sum(std::uint64_t n) {
  static std::uint64_t cached_n = 0;
  static std::uint64_t cached = 0;
  if (cached_n != n) {
    std::uint64_t s = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t y = map_fn(i);
      if (keep(y)) s += y;
    }
    cached_n = n;
    cached = s;
  }
  return cached;
}

/// W1f: `instances` partitioned source instances, each fused with map, filter and the sum into
/// one loop over its slice of 0..n-1 (no batch crosses a queue). Returns the sum.
inline std::uint64_t run_pipeline_fused(runtime& rt, std::uint64_t n, std::size_t instances) {
  std::vector<padded_u64> sums(instances);
  graph g("pipeline-fused");
  g.partitioned_source("numbers", instances,
                       [n](std::size_t k, std::size_t count) {
                         return [i = n * k / count, end = n * (k + 1) / count]() mutable -> std::optional<std::uint64_t> {
                           if (i == end) return std::nullopt;
                           return i++;
                         };
                       })
      .map([](std::uint64_t x) -> std::uint64_t { return map_fn(x); }, "map")
      .filter([](std::uint64_t y) { return keep(y); }, "filter")
      .sink("sum", [&sums](operator_setup& setup) {
        std::uint64_t* slot = &sums[setup.instance_index()].value;
        return [slot](std::uint64_t y) { *slot += y; };
      });
  rt.run(g).wait();
  std::uint64_t sum = 0;
  for (auto& s : sums) sum += s.value;
  return sum;
}

/// W1q: the same work as three nodes joined by edge queues, like the hand-written three-stage
/// pipelines: a source, map and filter in one node, and the sum. `start_new_chain` stops the
/// fusion that would otherwise make it one loop. Returns the sum.
inline std::uint64_t run_pipeline_queued(runtime& rt, std::uint64_t n) {
  std::uint64_t sum = 0;
  graph g("pipeline-queued");
  g.source("numbers", [i = std::uint64_t{0}, n]() mutable -> std::optional<std::uint64_t> {
     if (i == n) return std::nullopt;
     return i++;
   })
      .start_new_chain()
      .map([](std::uint64_t x) -> std::uint64_t { return map_fn(x); }, "map")
      .filter([](std::uint64_t y) { return keep(y); }, "filter")
      .start_new_chain()
      .for_each([&sum](std::uint64_t y) { sum += y; }, "sum");
  rt.run(g).wait();
  return sum;
}

// ---- W3: key = fmix64(i) % 100000 for i = 0..N-1, count records per key ---------------------

inline constexpr std::uint64_t keyed_count_keys = 100'000;
inline std::uint64_t key_of(std::uint64_t i) { return fmix64(i) % keyed_count_keys; }

/// W3 on StreamWeave: a partitioned source, an exchange by key into `instances` instances, and
/// a count per key in a generic operator that emits its counts when the epoch completes.
/// Returns (records counted, distinct keys).
inline std::pair<std::uint64_t, std::uint64_t> run_keyed_count(runtime& rt, std::uint64_t n, std::size_t instances) {
  using count = std::pair<std::uint64_t, std::uint64_t>;
  std::vector<padded_u64> totals(instances), distinct(instances);
  graph g("keyed-count");
  g.partitioned_source("numbers", instances,
                       [n](std::size_t k, std::size_t c) {
                         return [i = n * k / c, end = n * (k + 1) / c]() mutable -> std::optional<std::uint64_t> {
                           if (i == end) return std::nullopt;
                           return key_of(i++);
                         };
                       })
      .exchange([](std::uint64_t key) { return key; }, instances)
      .unary<count>("count", [](operator_setup& setup) {
        setup.drop_initial_capability();
        std::unordered_map<std::uint64_t, std::uint64_t> counts;
        std::optional<capability> epoch;
        return [counts, epoch](unary_context<std::uint64_t, count>& ctx) mutable {
          ctx.input.for_each([&](input_batch<std::uint64_t>& b) {
            if (!epoch) {
              epoch = b.retain();
              ctx.notify_at(*epoch);
            }
            for (std::uint64_t key : b.records()) ++counts[key];
          });
          ctx.for_each_notification([&](capability& cap) {
            for (const auto& [key, c] : counts) ctx.output.give(cap, {key, c});
            counts.clear();
            epoch.reset();
          });
        };
      })
      .sink("check", [&](operator_setup& setup) {
        auto* total = &totals[setup.instance_index()].value;
        auto* keys_seen = &distinct[setup.instance_index()].value;
        return [total, keys_seen](const count& c) {
          *total += c.second;
          ++*keys_seen;
        };
      });
  rt.run(g).wait();
  std::uint64_t total = 0;
  std::uint64_t d = 0;
  for (std::size_t k = 0; k < instances; ++k) {
    total += totals[k].value;
    d += distinct[k].value;
  }
  return {total, d};
}

}  // namespace streamweave::bench
