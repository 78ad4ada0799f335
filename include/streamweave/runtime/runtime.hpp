#pragma once
/// \file
/// `runtime`: runs dataflow graphs in-process on a oneTBB `task_arena`.
///
/// StreamWeave is an in-process runtime: one graph runs inside one process, its operators as
/// oneTBB tasks, its edges as in-memory queues. There is no distributed execution, no
/// replication and no checkpointing; to scale out, run several processes fed by a partitioned
/// source (for example Kafka consumer groups).
///
/// The runtime owns an arena with `options.threads` worker slots, or uses an arena the host
/// passes in. oneTBB caps its worker pool process-wide; while a runtime that owns its arena is
/// alive, it raises `max_allowed_parallelism` (a `tbb::global_control`) to at least
/// `threads + 1` so the arena really gets `threads` workers.
///
/// Thread safety: `run` may be called from any thread; graphs run concurrently. Every execution
/// keeps the runtime's arena alive until it is destroyed.
#include <streamweave/runtime/execution.hpp>
#include <streamweave/runtime/runtime_options.hpp>

#include <oneapi/tbb/task_arena.h>

#include <memory>

namespace streamweave {

class graph;

class runtime {
 public:
  /// A runtime with its own arena. The first runtime of a process (either constructor) also
  /// spends about 2 ms measuring the rate of the clock that metrics and traces read
  /// (docs/observability.md), so that no run pays it.
  explicit runtime(runtime_options options = {});
  /// A runtime that schedules on `host_arena`, which must outlive every execution.
  explicit runtime(tbb::task_arena& host_arena, runtime_options options = {});
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Validates `g` and starts running it in-process. The graph cannot be changed afterwards and
  /// cannot be run twice. Throws `graph_error` for an invalid graph (dangling stream, a cycle
  /// that does not advance time) or a graph that already ran.
  execution run(graph& g);

  const runtime_options& options() const noexcept;
  /// The number of worker threads the arena has.
  std::size_t threads() const noexcept;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace streamweave
