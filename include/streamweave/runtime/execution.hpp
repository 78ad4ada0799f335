#pragma once
/// \file
/// `execution`: the handle to one in-process run of a graph, returned by `runtime::run`.
///
/// The run completes when every input is closed, every source is exhausted and every
/// pointstamp count is zero (nothing in flight, no capability held). An exception thrown by user
/// code in any operator stops the run: pending work is cancelled, blocked `send` calls throw
/// `cancelled_error`, and `wait()` rethrows an `operator_error` naming the operator, with the
/// original exception nested.
///
/// Thread safety: `wait`, `wait_for`, `cancel`, `done`, `completed`, `stats`, `metrics` and
/// `write_trace` may be called from any thread, concurrently. Destroying a running execution cancels it and waits for its tasks.
#include <streamweave/observe/metrics.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace streamweave {

namespace internal {
class execution_state;
}

/// Occupancy counters of one edge queue (one consumer instance's input port).
struct queue_stats {
  std::string consumer;  // node name
  std::size_t instance = 0;
  std::size_t port = 0;
  std::size_t depth = 0;      // batches queued now
  std::size_t max_depth = 0;  // most batches ever queued at once
  std::size_t capacity = 0;
  /// Bytes of the records queued now, and at most at once (`record_size`), counted only when
  /// the queue has a byte budget (`runtime_options::queue_bytes`, else all three are 0).
  std::size_t bytes = 0;
  std::size_t max_bytes = 0;
  std::size_t byte_budget = 0;
};

class execution {
 public:
  execution(std::shared_ptr<internal::execution_state> state, std::shared_ptr<void> keep_alive);
  execution(execution&&) noexcept;
  execution& operator=(execution&&) noexcept;
  execution(const execution&) = delete;
  execution& operator=(const execution&) = delete;
  /// Cancels the run if it is still going and waits for its tasks to finish. Never throws.
  ~execution();

  /// Blocks until the run is over. Rethrows the first operator failure (`operator_error`), or
  /// throws `cancelled_error` when the run was cancelled.
  void wait();
  /// Like `wait`, but gives up after `timeout` and returns false. Returns true when the run is
  /// over (and then rethrows like `wait` on failure or cancellation).
  bool wait_for(std::chrono::nanoseconds timeout);
  /// Stops the run: no new activations start, blocked senders are released. Idempotent.
  void cancel() noexcept;
  /// True when the run is over (completed, failed or cancelled) and its tasks have finished.
  /// Once true, and once `wait` or `wait_for` has returned true, it stays true: a wake-up that
  /// reaches the ended run later (an output handle freeing room, say) may still start a task
  /// of the runtime's own; the destructor waits for such tasks.
  bool done() const;
  /// True when the run completed normally.
  bool completed() const;

  /// The runtime's counters for every edge queue.
  std::vector<queue_stats> stats() const;
  /// A snapshot of the run's activity counters, per operator instance and per input handle:
  /// records and batches in and out, activations, busy, back-pressured and idle time, input
  /// frontiers and queue depths; per probe, its frontier and epoch completion latency
  /// (docs/observability.md). Cheap enough to call every second
  /// while the run goes on; also valid after it ended (the times then stop at its end). It
  /// never waits for the graph's threads: it takes each input handle's mutex and the epoch
  /// latency log's mutex for a moment, and nothing else. Export it with `to_prometheus_text` or `to_json` (observe/exporters.hpp).
  metrics_snapshot metrics() const;
  /// Writes the run's activation trace to `path` as Chrome trace-event JSON, which Perfetto
  /// (ui.perfetto.dev) and chrome://tracing load: one span per activation (its unit, instance,
  /// start, duration, thread, batches and records taken), in one lane per thread, and an instant
  /// event per probe frontier change (docs/observability.md, "Activation traces"). Each unit
  /// keeps its last `runtime_options::trace_capacity` spans. Callable while the run goes on
  /// and after it ended. Throws `usage_error` when the run was started without tracing, and
  /// `std::runtime_error` naming the path when the file cannot be written.
  void write_trace(const std::string& path) const;

 private:
  friend std::string to_dot(const execution& ex);  // observe/dot.hpp

  std::shared_ptr<internal::execution_state> state_;
  std::shared_ptr<void> keep_alive_;  // the runtime's arena outlives the run
};

}  // namespace streamweave
