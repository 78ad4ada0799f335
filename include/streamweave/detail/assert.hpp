#pragma once
/// \file
/// `STREAMWEAVE_ASSERT(condition, message)`: a check of one of StreamWeave's own invariants
/// (the unit state machine, queue occupancy, balanced pointstamp counts, capability ownership).
/// A failure is a bug in StreamWeave, or a documented requirement broken that no release build
/// can check cheaply (a capability used inside another scheduling unit's activation); every
/// user error that can be checked cheaply throws `usage_error` whatever the build.
///
/// Only library sources (lib/) and in-tree tests use it: an inline function in a public
/// header that checked with it would have a different definition in a consumer built without
/// it. Public headers call an out-of-line library function instead (as
/// `detail::check_capability_owner` does).
///
/// On when `STREAMWEAVE_ENABLE_ASSERTIONS` is defined to a non-zero value. The CMake option
/// `STREAMWEAVE_ASSERTIONS` (ON with `STREAMWEAVE_DEV_MODE`, so in the dev, asan and tsan
/// presets) defines it for the library and the in-tree tests and benchmarks; release builds and
/// projects that consume StreamWeave compile the checks out. A compiled-out check does not
/// evaluate its condition, but still type-checks it.
///
/// A failed check prints the file, line, condition and message to stderr and aborts, so that a
/// test, a sanitizer or a debugger stops at the broken invariant.
/// Thread safety: the check itself touches nothing shared; `condition` is evaluated on the
/// calling thread and must be safe to evaluate there.
#include <cstdio>
#include <cstdlib>

namespace streamweave::detail {

[[noreturn]] inline void assertion_failed(const char* condition, const char* message, const char* file,
                                          int line) noexcept {
  std::fprintf(stderr, "%s:%d: StreamWeave invariant broken: %s (%s)\n", file, line, message, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace streamweave::detail

#if defined(STREAMWEAVE_ENABLE_ASSERTIONS) && STREAMWEAVE_ENABLE_ASSERTIONS
#define STREAMWEAVE_ASSERT(condition, message)                                                     \
  ((condition) ? static_cast<void>(0)                                                              \
               : ::streamweave::detail::assertion_failed(#condition, message, __FILE__, __LINE__))
#else
#define STREAMWEAVE_ASSERT(condition, message) static_cast<void>(sizeof(static_cast<bool>(condition)))
#endif
