#pragma once
/// \file
/// A counter with its high-water mark, for operator state statistics.
#include <atomic>
#include <cstdint>

namespace streamweave::detail {

/// Adds `d` to `value` and raises `peak` to the new value when it is higher. Thread safety:
/// any thread; relaxed atomics (statistics only: readers that need them exact synchronise
/// through `execution::wait()` or a probe).
inline void add_with_peak(std::atomic<std::int64_t>& value, std::atomic<std::int64_t>& peak, std::int64_t d) noexcept {
  const std::int64_t now = value.fetch_add(d, std::memory_order_relaxed) + d;
  std::int64_t seen = peak.load(std::memory_order_relaxed);
  while (now > seen && !peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}

}  // namespace streamweave::detail
