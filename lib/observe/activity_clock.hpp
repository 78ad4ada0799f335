#pragma once
/// \file
/// `activity_clock`: the clock of the activity counters, epoch latency and traces
/// (observe/metrics.hpp): nanoseconds on one monotonic scale, read at least twice per activation.
///
/// An activation's start is read on the path of every record it carries, often right after
/// its worker woke up, when `steady_clock::now()`'s vDSO data is cold: in W2 (latency_bench)
/// that one read was most of what metrics cost. On x86-64 with an invariant TSC the clock is
/// `rdtsc` scaled to nanoseconds instead: no memory access, no system call. The scale is
/// measured once per process against `steady_clock` over 2 ms, when the first `runtime` is
/// constructed (`warm_up`), or at the first read if that comes earlier, and its intervals agree with `steady_clock`'s within
/// 0.1% (observe_activity_clock_test checks it; about 0.01% on the machines measured).
/// Elsewhere, or without an invariant TSC, it is `steady_clock`.
///
/// TSCs of different cores are assumed to agree, as the kernel's own TSC clocksource assumes;
/// every duration the counters take is clamped at 0, so a core slightly behind cannot make
/// one negative.
///
/// Thread safety: any thread. The scale is a function-local static, set once.
#include <chrono>
#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <x86intrin.h>
#define STREAMWEAVE_ACTIVITY_CLOCK_TSC 1
#else
#define STREAMWEAVE_ACTIVITY_CLOCK_TSC 0
#endif

namespace streamweave::internal {

class activity_clock {
 public:
  static std::int64_t now_ns() noexcept {
#if STREAMWEAVE_ACTIVITY_CLOCK_TSC
    const tsc_scale& s = scale();
    if (s.usable) {
      // Signed: a core whose TSC lags the calibrating one may read just before base_ticks.
      const auto ticks = static_cast<std::int64_t>(__rdtsc() - s.base_ticks);
      return s.base_ns + static_cast<std::int64_t>(static_cast<double>(ticks) * s.ns_per_tick);
    }
#endif
    return steady_now_ns();
  }
  /// Calibrates the scale now if it is not yet (the `runtime` constructors call it, so that
  /// no run pays the 2 ms on its start).
  static void warm_up() noexcept {
#if STREAMWEAVE_ACTIVITY_CLOCK_TSC
    (void)scale();
#endif
  }
  /// Whether `now_ns` reads the TSC (for tests and the docs' claims).
  static bool uses_tsc() noexcept {
#if STREAMWEAVE_ACTIVITY_CLOCK_TSC
    return scale().usable;
#else
    return false;
#endif
  }
  static std::int64_t steady_now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

 private:
  struct tsc_scale {
    bool usable = false;
    std::uint64_t base_ticks = 0;
    std::int64_t base_ns = 0;  // steady_clock at base_ticks: both clocks agree there
    double ns_per_tick = 0;
  };
  static const tsc_scale& scale() noexcept {
    static const tsc_scale s = calibrate();
    return s;
  }
  /// Checks for an invariant TSC and measures its rate (lib/observe/activity_clock.cpp).
  static tsc_scale calibrate() noexcept;
};

}  // namespace streamweave::internal
