#pragma once
/// \file
/// `execution_state`: one run of a graph. It owns the run's parts (`wired_graph`, made by
/// lib/runtime/wiring.hpp: instances, units, queues, input bindings and the progress hub) and
/// its scheduler, and it decides the run's life: start, completion, failure, cancellation,
/// waiting and statistics. It knows no scheduling policy and no queue implementation.
///
/// Threads that meet here:
///  - scheduler threads run unit activations (`unit::run`), at most one per unit at a time;
///  - outside threads call input handles, probes, output handles, `cancel` and `wait`;
///  - whoever finishes an activation or publishes input progress may become the tracker's
///    owner for one round (`run_tracker`, lib/progress/progress_hub.hpp), which reports moved
///    input frontiers and a drained dataflow back here (`progress_listener`).
/// `finished_`, `error_` and `cancelled_by_user_` change together under `mutex_`, so a run
/// ends exactly one way.
#include <streamweave/detail/deadline.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/observe/metrics.hpp>
#include <streamweave/runtime/execution.hpp>

#include "observe/activation_trace.hpp"
#include "observe/epoch_latency.hpp"
#include "progress/progress_hub.hpp"
#include "runtime/runtime_config.hpp"
#include "runtime/wiring.hpp"
#include "scheduler/scheduler.hpp"
#include "scheduler/timer_service.hpp"
#include "scheduler/unit.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace streamweave::internal {

class execution_state final : private progress_listener {
 public:
  /// Wires `graph` and makes its scheduler with `make_scheduler`. Throws like `wire`.
  execution_state(std::shared_ptr<detail::graph_state> graph, runtime_config config, const scheduler_factory& make_scheduler);
  ~execution_state();

  /// Applies initial capabilities and schedules every unit.
  void start();

  /// Publishes `buffer` from progress source `slot` and clears it.
  void publish(std::uint32_t slot, detail::progress_buffer& buffer);
  /// Runs the tracker if nobody else does (combining); never blocks.
  void run_tracker() noexcept { wired_.progress->run_tracker(); }

  void fail(const std::string& node, std::exception_ptr error) noexcept;
  void cancel() noexcept;
  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

  /// Waits until the run is over and no task is left; returns false on timeout
  /// (`nanoseconds::max()`: no limit).
  bool wait_until_finished(std::chrono::nanoseconds timeout) const;
  void wait_until_finished() const;
  /// After `wait_until_finished`: rethrows the failure, or throws `cancelled_error`.
  void rethrow_if_failed() const;
  bool completed() const noexcept { return completed_.load(std::memory_order_acquire); }

  /// Hands `u` to the scheduler (counted as a task until `task_done`).
  void submit(unit& u) noexcept;
  /// Counts a task that a scheduler runs outside `submit` (a scheduler thread of its own); it
  /// ends with `task_done`.
  void task_started() noexcept { tasks_.fetch_add(1, std::memory_order_seq_cst); }
  /// See `scheduler::take_next_after_idle`.
  unit* take_next_after_idle() noexcept { return scheduler_->take_next_after_idle(); }
  /// Ends a task; the last one lets `wait_until_finished` return.
  void task_done() noexcept;
  const runtime_config& config() const noexcept { return config_; }
  timestamp frontier_of(progress::location_id target) const noexcept { return wired_.progress->frontier_of(target); }
  /// The run's input bindings and their handles' states (index i of one is index i of the
  /// other). Fixed once the execution is constructed.
  const std::vector<std::unique_ptr<input_binding>>& inputs() const noexcept { return wired_.inputs; }
  detail::input_state& input_state(std::size_t i) const noexcept { return *wired_.input_states[i]; }
  std::size_t unit_count() const noexcept { return wired_.units.size(); }
  std::vector<queue_stats> stats() const;
  /// The activity counters (lib/runtime/metrics_snapshot.cpp). Any thread.
  metrics_snapshot metrics() const;
  /// The run as DOT (lib/runtime/execution_dot.cpp). Any thread.
  std::string to_dot() const;
  /// Writes the activation trace to `path` (lib/runtime/trace_writer.cpp). Any thread.
  void write_trace(const std::string& path) const;
  /// Input `index` (its position in `inputs()`) moves to time `t`, the empty frontier when it
  /// closes: a close event for the probes' epoch latency (lib/observe/epoch_latency.hpp).
  /// Called by the sender holding the input's lock, before the input publishes the move.
  void on_input_time(std::size_t index, timestamp t) {
    if (config_.metrics) epoch_latency_.on_input_time(index, t, unit_counters::now_ns());
  }
  /// The run's scheduler.
  internal::scheduler& scheduler() const noexcept { return *scheduler_; }
  /// Wall-clock wake-ups (`activation::wake_at`).
  timer_service& timers() noexcept { return timers_; }

 private:
  // progress_listener
  void on_input_frontier_moved(std::size_t node) noexcept override;
  void on_drained() noexcept override;
  void on_probe_frontier(std::size_t probe, timestamp f) noexcept override;
  /// Records that nothing is left anywhere, unless the run already finished otherwise.
  void complete() noexcept;
  /// Stops activations, releases blocked senders, aborts probes, tells bodies. Idempotent.
  void stop_everything() noexcept;
  void detach_handles() noexcept;
  /// Marks the end of the run's wall time for `metrics` (the first call counts). mutex_ held.
  void mark_ended() noexcept;

  std::shared_ptr<detail::graph_state> graph_;
  runtime_config config_;

  wired_graph wired_;  // the run's parts (lib/runtime/wiring.hpp)
  std::atomic<bool> stopping_{false};
  std::atomic<bool> completed_{false};
  std::atomic<bool> shut_down_{false};
  std::atomic<std::size_t> tasks_{0};
  std::atomic<std::size_t> finishing_tasks_{0};  // task_done() calls still touching *this
  mutable std::mutex mutex_;
  mutable std::condition_variable finished_cv_;
  bool finished_ = false;              // guarded by mutex_
  std::exception_ptr error_;           // guarded by mutex_
  bool cancelled_by_user_ = false;     // guarded by mutex_
  mutable bool settled_ = false;       // guarded by mutex_: finished with no task left, once
  epoch_latency epoch_latency_;                // per probe (lib/observe/epoch_latency.hpp)
  std::unique_ptr<trace_ring<frontier_event>> probe_trace_;  // null unless tracing; set before start
  std::int64_t started_ns_ = 0;               // steady clock; set by start(), before any unit runs
  std::atomic<std::int64_t> ended_ns_{0};      // 0 while running; written under mutex_, read by metrics()
  timer_service timers_;  // stopped first in the destructor: it schedules units

  // Last: destroyed first, joining its thread before anything it used goes.
  std::unique_ptr<internal::scheduler> scheduler_;
};

}  // namespace streamweave::internal
