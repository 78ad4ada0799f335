#pragma once
// Shared helpers for the benchmark executables: input sizes (tiny under the ctest smoke run),
// thread counts, percentiles and CPU time.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <vector>

namespace streamweave::bench {

/// True in the ctest smoke run (STREAMWEAVE_BENCH_SMOKE=1): tiny inputs, no performance meaning.
inline bool smoke() {
  const char* v = std::getenv("STREAMWEAVE_BENCH_SMOKE");
  return v != nullptr && *v != '\0' && *v != '0';
}

/// `full` records, or a tiny count for the smoke run.
inline std::uint64_t records(std::uint64_t full, std::uint64_t tiny = 20000) { return smoke() ? tiny : full; }

inline std::size_t hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

/// MurmurHash3's 64-bit finalizer.
constexpr std::uint64_t fmix64(std::uint64_t k) noexcept {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

/// The `q`-quantile (0..1) of `samples` (sorted in place), in the samples' unit.
inline double percentile(std::vector<double>& samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[std::min(i, samples.size() - 1)];
}

/// CPU time used by the whole process so far, in seconds.
inline double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Sleeps until about `deadline_ns` (steady clock): the same pacing for every variant.
inline void pace_until(std::int64_t deadline_ns) {
  const std::int64_t left = deadline_ns - now_ns();
  if (left > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(left));
}

/// Dequeues from a moodycamel queue into `out`, spinning, then yielding after 64 misses: how
/// the hand-written baselines wait for a batch.
template <class Q, class T>
void pop_spin(Q& q, T& out) {
  for (unsigned spins = 0; !q.try_dequeue(out); ++spins)
    if (spins > 64) std::this_thread::yield();
}

/// A value on its own cache line (per-thread partial results).
struct alignas(64) padded_u64 {
  std::uint64_t value = 0;
};

}  // namespace streamweave::bench
