#include "observe/activity_clock.hpp"

#if STREAMWEAVE_ACTIVITY_CLOCK_TSC
#include <cpuid.h>
#endif

namespace streamweave::internal {

activity_clock::tsc_scale activity_clock::calibrate() noexcept {
  tsc_scale s;
#if STREAMWEAVE_ACTIVITY_CLOCK_TSC
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0x80000000u, &eax, &ebx, &ecx, &edx) == 0 || eax < 0x80000007u) return s;
  if (__get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx) == 0 || (edx & (1u << 8)) == 0) return s;  // invariant TSC
  constexpr std::int64_t span_ns = 2'000'000;
  const std::int64_t ns0 = steady_now_ns();
  const std::uint64_t t0 = __rdtsc();
  std::int64_t ns1 = ns0;
  while (ns1 - ns0 < span_ns) ns1 = steady_now_ns();
  const std::uint64_t t1 = __rdtsc();
  if (t1 <= t0) return s;
  const double ns_per_tick = static_cast<double>(ns1 - ns0) / static_cast<double>(t1 - t0);
  if (!(ns_per_tick > 0.01 && ns_per_tick < 10.0)) return s;  // 100 MHz .. 100 GHz, else not a TSC we trust
  s.usable = true;
  s.base_ticks = t1;
  s.base_ns = ns1;
  s.ns_per_tick = ns_per_tick;
#endif
  return s;
}

}  // namespace streamweave::internal
