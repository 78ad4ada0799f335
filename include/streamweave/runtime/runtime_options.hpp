#pragma once
/// \file
/// Settings of a `runtime`. Values that cannot work are rejected with `usage_error` naming the
/// option and its limit: `threads` by the `runtime` constructor, the others by `runtime::run`.
#include <chrono>
#include <cstddef>

namespace streamweave {

struct runtime_options {
  /// Limits: beyond them a run could not allocate its queues or batches, or the thread pool.
  static constexpr std::size_t max_threads = 4096;
  static constexpr std::size_t max_batch_size = std::size_t{1} << 24;
  static constexpr std::size_t max_queue_capacity = std::size_t{1} << 20;
  static constexpr std::chrono::microseconds max_idle_spin{1'000'000};
  static constexpr std::size_t max_trace_capacity = std::size_t{1} << 24;

  /// Worker threads of the runtime's own oneTBB arena; 0 = the machine's hardware concurrency.
  /// Ignored when the host passes its own arena. At most `max_threads`.
  std::size_t threads = 0;
  /// Records per batch that sources, input handles and operators aim for; 1 to
  /// `max_batch_size`.
  std::size_t batch_size = 1024;
  /// Batches an edge queue holds at most (per consumer instance and input); 1 to
  /// `max_queue_capacity`. A producer facing a full queue stops and is resumed when space
  /// frees; input handles block.
  std::size_t queue_capacity = 64;
  /// Input batches an operator instance processes per activation before it yields its thread;
  /// at least 1.
  std::size_t activation_budget = 16;
  /// Deterministic mode: each run executes on one thread of its own (not on the arena; `threads`
  /// and a host arena are ignored) with a fixed schedule, and input handles' calls are released
  /// to the graph in a canonical order (by time, then input index). The same sequence of
  /// (send/flush, advance_to, close) calls on each input, with the same options, gives the same
  /// output at every sink, in the same order, whatever the timing of the sending threads.
  /// See docs/architecture.md, "Deterministic mode", for the exact guarantee and its costs.
  bool deterministic = false;
  /// Byte budget of each edge queue, in bytes of records as `record_size<T>` measures them
  /// (runtime/record_size.hpp; `sizeof(T)` unless specialized); 0 = no byte limit, only
  /// `queue_capacity`. A queue takes a batch while the bytes it holds stay within the budget,
  /// and always takes one batch when it is empty, so an edge holds at most `queue_bytes` plus
  /// one batch. Input handles also hand a staged batch over once it holds a quarter of
  /// `queue_bytes`, so that several of its batches fit in a queue. For
  /// large records, set it together with a `batch_size` whose batches fit the budget
  /// (docs/architecture.md, "Bounding memory").
  std::size_t queue_bytes = 0;
  /// How long a worker that ran out of work keeps its core, waiting for the next operator
  /// instance to be scheduled, before it hands its thread back to oneTBB (which may put it to
  /// sleep); 0 (the default) = never. One worker at a time waits; a unit scheduled meanwhile
  /// runs on it at once, without a trip through the arena and a sleeping thread's wake-up.
  /// This trades CPU for latency: with bursts of input spaced less than `idle_spin` apart, one
  /// core stays busy. A wait ends early when the run completes, fails or is cancelled, and
  /// when other units of the run are queued. 0 to `max_idle_spin`; ignored in deterministic
  /// mode (docs/architecture.md, "Idle spinning").
  std::chrono::microseconds idle_spin{0};
  /// Keep the activity counters that `execution::metrics()` reports: records and batches in
  /// and out, activations, busy, back-pressured and idle time (docs/observability.md). On by
  /// default; each costs a relaxed load and store per batch, and two clock reads per
  /// activation. With false, those counters stay 0 (frontiers and queue depths are still
  /// reported).
  bool metrics = true;
  /// Activation tracing, off (0) by default: each scheduling unit keeps its last
  /// `trace_capacity` activations (start, duration, thread, batches and records taken), and the
  /// run its probes' last `trace_capacity` frontier changes, for `execution::write_trace`
  /// (Chrome trace-event JSON; docs/observability.md, "Activation traces"). Each span kept takes
  /// 40 bytes in its unit's ring, allocated as the ring fills, 1024 spans at a time. When on,
  /// an activation also writes its span into the ring (no lock), and the counters of `metrics`
  /// are kept (tracing reads them). 0 to `max_trace_capacity`.
  std::size_t trace_capacity = 0;
};

}  // namespace streamweave
