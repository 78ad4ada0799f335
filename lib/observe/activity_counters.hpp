#pragma once
/// \file
/// The runtime's activity counters, read by `execution::metrics()`.
///
/// Thread safety and memory ordering: every counter has one writer at a time. An instance's
/// counters are written by the thread running its unit, a unit's by that same thread, an
/// input's by the sender that hands its batch over (holding the input's mutex, or the input's
/// bias, lib/runtime/input_state.cpp). Successive writers are ordered by the unit's state
/// transitions (acq_rel, scheduler/unit.cpp) or by the input's mutex, so a writer adds with a
/// relaxed load and a relaxed store (no locked read-modify-write on the hot path). Readers on
/// other threads load relaxed: each counter is exact on its own and never goes backwards, but
/// two counters read one after the other need not be from the same moment. Each block is
/// cache-line aligned, so writers of different instances never share a line.
#include "observe/activity_clock.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace streamweave::internal {

/// Adds `n` to a counter that only the calling thread writes (see the file comment).
inline void add_owned(std::atomic<std::uint64_t>& counter, std::uint64_t n) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

/// Records and batches into and out of one operator instance.
struct alignas(64) instance_counters {
  std::atomic<std::uint64_t> records_in{0};
  std::atomic<std::uint64_t> batches_in{0};
  std::atomic<std::uint64_t> records_out{0};
  std::atomic<std::uint64_t> batches_out{0};

  void count_in(std::size_t records) noexcept {
    add_owned(records_in, records);
    add_owned(batches_in, 1);
  }
  void count_out(std::size_t records) noexcept {
    add_owned(records_out, records);
    add_owned(batches_out, 1);
  }
};

/// Time accounting of one scheduling unit (an instance and the instances fused into it), in
/// steady-clock nanoseconds. `blocked_since` is the end of an activation that left output
/// waiting for queue space (0 when none waits); the next activation adds the gap to
/// `backpressured_ns`.
struct alignas(64) unit_counters {
  std::atomic<std::uint64_t> activations{0};
  std::atomic<std::uint64_t> busy_ns{0};
  std::atomic<std::uint64_t> backpressured_ns{0};
  std::atomic<std::int64_t> blocked_since{0};

  /// The counters' clock (lib/observe/activity_clock.hpp).
  static std::int64_t now_ns() noexcept { return activity_clock::now_ns(); }
  /// Start of an activation at `start` (now_ns): closes a back-pressured gap.
  void begin_activation(std::int64_t start) noexcept {
    const std::int64_t since = blocked_since.load(std::memory_order_relaxed);
    if (since != 0) {
      add_owned(backpressured_ns, static_cast<std::uint64_t>(start > since ? start - since : 0));
      blocked_since.store(0, std::memory_order_relaxed);
    }
  }
  /// End of an activation that began at `start`; `output_waits`: it left a batch waiting.
  void end_activation(std::int64_t start, std::int64_t end, bool output_waits) noexcept {
    add_owned(activations, 1);
    add_owned(busy_ns, static_cast<std::uint64_t>(end > start ? end - start : 0));
    if (output_waits) blocked_since.store(end, std::memory_order_relaxed);
  }
};

/// What an input handle sent into its run. `blocked_ns` is the time senders waited for queue
/// space (in `send`, `flush`, `advance_to` and `close`).
struct alignas(64) input_counters {
  std::atomic<std::uint64_t> records_sent{0};
  std::atomic<std::uint64_t> batches_sent{0};
  std::atomic<std::uint64_t> blocked_ns{0};
};

}  // namespace streamweave::internal
