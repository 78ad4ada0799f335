#pragma once
/// \file
/// Activation tracing (`runtime_options::trace_capacity`, `execution::write_trace`): each
/// scheduling unit keeps its last `capacity` activations as spans in a ring, and the run keeps
/// its probes' frontier changes as instant events in another. lib/runtime/trace_writer.cpp
/// writes them out as Chrome trace-event JSON.
///
/// Thread safety: a ring (observe/trace_ring.hpp) has one writer at a time (the unit's running
/// thread, or the tracker owner for the probes' ring) and is read by `write_trace` on any
/// thread without a lock; a span costs its writer a few relaxed stores.
#include "observe/trace_ring.hpp"

#include <streamweave/progress/timestamp.hpp>

#include <cstddef>
#include <cstdint>

namespace streamweave::internal {

/// A small number for the calling thread, unique in the process for its life: the trace lane
/// ("tid") its spans are drawn in.
std::uint32_t trace_thread_index() noexcept;

/// One activation of a unit.
struct activation_span {
  std::int64_t start_ns = 0;  // activity_clock (observe/activity_clock.hpp)
  std::int64_t duration_ns = 0;
  std::uint32_t thread = 0;  // trace_thread_index()
  std::uint64_t batches = 0;  // taken from the unit's input queues and fused edges
  std::uint64_t records = 0;
};

/// A probe's frontier change.
struct frontier_event {
  std::int64_t at_ns = 0;
  std::size_t probe = 0;
  timestamp frontier = 0;
};

}  // namespace streamweave::internal
