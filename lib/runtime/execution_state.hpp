#pragma once
/// \file
/// The running form of a graph: operator instances grouped into scheduling units, the edge
/// queues between them, the progress tracker and the combining runner that owns it.
///
/// Threads that meet here:
///  - TBB workers run unit activations (`unit::run`), at most one per unit at a time;
///  - outside threads call input handles, probes, output handles, `cancel` and `wait`;
///  - whoever finishes an activation or publishes input progress may become the tracker's
///    owner for one round (`run_tracker`, lib/progress/progress_hub.hpp).
#include <streamweave/detail/deadline.hpp>
#include <streamweave/detail/input_state.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/progress/probe.hpp>
#include <streamweave/runtime/execution.hpp>

#include "queue/batch_pool.hpp"
#include "queue/edge_queue.hpp"
#include "progress/progress_hub.hpp"
#include "runtime/timer_service.hpp"

#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

namespace streamweave::internal {

class execution_state;
class unit;
class instance_runtime;
class deterministic_scheduler;

/// One consumer attachment of an output port, as seen by one producing instance.
struct output_edge {
  enum class kind { fused, queue, routed };
  kind k = kind::queue;
  progress::location_id target = 0;  // the consumer's (node, input) location
  // fused
  instance_runtime* fused_consumer = nullptr;
  std::size_t fused_port = 0;
  // queue and routed: one destination per consumer instance (queue: exactly one)
  std::vector<edge_queue*> queues;
  std::vector<std::size_t> tokens;
  std::vector<unit*> consumers;
  std::unique_ptr<detail::router> router;
  std::unique_ptr<detail::batch_pool> route_pool;
  std::vector<detail::batch_base*> scratch;
};

struct output_port_runtime {
  std::vector<output_edge> edges;
  detail::batch_pool pool;
  progress::location_id location = 0;
};

/// A batch a full queue did not accept yet. Counted in flight already.
struct pending_push {
  edge_queue* queue;
  std::size_t token;
  detail::batch_base* batch;
  unit* consumer;  // nullptr when the consumer needs no wake-up
};

/// Where deliveries record their effects: the progress source's buffer and pending list.
struct delivery_sink {
  detail::progress_buffer& progress;
  std::vector<pending_push>& pending;
};

/// Sends `b` (one reference, transferred) over every edge of `port`, counting `+1` at each
/// target for each queued batch. Fused edges call the consumer's `on_batch` through `unit`
/// (must be non-null when the port has fused edges).
void deliver(output_port_runtime& port, detail::batch_base* b, std::size_t batch_size, delivery_sink sink, unit* via);

/// Tries to enqueue every pending push in order; stops at the first full queue and registers
/// `wake` on it. Returns true when nothing remains pending.
bool flush_pending(std::vector<pending_push>& pending, producer_waker* wake);

class instance_runtime {
 public:
  execution_state* exec = nullptr;
  unit* owner = nullptr;
  std::size_t node = 0;
  std::size_t index = 0;
  std::size_t count = 1;
  const detail::node_spec* spec = nullptr;
  std::unique_ptr<detail::node_body> body;
  std::vector<edge_queue*> inputs;  // one per input port (nullptr for a fused input)
  std::vector<progress::location_id> input_locations;
  std::vector<timestamp> frontier_snapshot;
  std::vector<std::unique_ptr<output_port_runtime>> outputs;
  detail::batch_base* last_popped = nullptr;
};

/// A scheduling unit: an operator instance plus the operators fused into it. It is one TBB
/// task at a time and one progress source.
class unit final : public producer_waker {
 public:
  execution_state* exec = nullptr;
  instance_runtime* head = nullptr;
  std::vector<instance_runtime*> members;  // head first, then fused instances
  std::uint32_t slot = 0;
  // Used only by the thread running the unit (state_ running or running_again).
  detail::progress_buffer progress;
  std::vector<pending_push> pending;
  std::size_t budget = 0;
  instance_runtime* current = nullptr;  // whose code runs now (for error messages)
  /// A loop feedback unit: it takes input while its output waits for queue space
  /// (detail/loop_operators.hpp). Set before the run starts.
  bool unthrottled = false;
  /// Deterministic runs only (scheduler thread): the body asked for a waker in its last
  /// activation, so it waits for an outside thread (an output handle's reader) to resume it.
  bool waits_for_outside = false;

  /// Makes sure the unit runs (again) soon. Thread safety: any thread.
  void schedule() noexcept;
  /// Runs the unit (one or more activations); called by the scheduler only.
  void run() noexcept;

  void wake() noexcept override { schedule(); }
  std::function<void()> waker() {
    return [this] { schedule(); };
  }

 private:
  friend class execution_state;
  /// One activation: returns true when more work is ready now.
  bool activate_once() noexcept;
  // idle -> scheduled -> running -> idle; running + schedule() -> running_again.
  enum : int { idle = 0, scheduled = 1, running = 2, running_again = 3 };
  std::atomic<int> state_{idle};
};

/// Lib side of an input handle. As a producer it is woken by waking the blocked senders.
struct input_binding final : producer_waker {
  void wake() noexcept override { state->wake_senders(); }
  detail::input_state* state = nullptr;
  execution_state* exec = nullptr;
  std::unique_ptr<output_port_runtime> output;
  progress::location_id location = 0;
  std::uint32_t slot = 0;
  std::size_t index = 0;  // position in execution_state::inputs_
  // Owned by the sender holding input_state::mutex; in a deterministic run by the scheduler
  // thread only.
  detail::progress_buffer progress;
  std::vector<pending_push> pending;
};

struct runtime_config {
  std::size_t batch_size = 1024;
  std::size_t queue_capacity = 64;
  std::size_t activation_budget = 16;
  bool deterministic = false;  // run on a deterministic_scheduler (runtime_options::deterministic)
  std::size_t queue_bytes = 0;  // byte budget per edge queue; 0: none
};

class execution_state final : private progress_listener {
 public:
  execution_state(std::shared_ptr<detail::graph_state> graph, runtime_config config, tbb::task_arena& arena);
  ~execution_state();

  /// Applies initial capabilities and schedules every unit.
  void start();

  /// Publishes `buffer` from progress source `slot` and clears it.
  void publish(std::uint32_t slot, detail::progress_buffer& buffer);
  /// Runs the tracker if nobody else does (combining); never blocks.
  void run_tracker() noexcept { progress_->run_tracker(); }

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

  void submit(unit& u) noexcept;
  const runtime_config& config() const noexcept { return config_; }
  timestamp frontier_of(progress::location_id target) const noexcept { return progress_->frontier_of(target); }
  std::vector<queue_stats> stats() const;
  /// The fixed-order scheduler of a deterministic run; nullptr otherwise.
  deterministic_scheduler* deterministic() const noexcept { return deterministic_.get(); }
  /// Wall-clock wake-ups (`activation::wake_at`).
  timer_service& timers() noexcept { return timers_; }

 private:
  void build();
  // progress_listener
  void on_input_frontier_moved(std::size_t node) noexcept override;
  void on_drained() noexcept override;
  /// Records that nothing is left anywhere, unless the run already finished otherwise.
  void complete() noexcept;
  /// Stops activations, releases blocked senders, aborts probes, tells bodies. Idempotent.
  void stop_everything() noexcept;
  void task_done() noexcept;
  void detach_handles() noexcept;
  /// Frees pending batches, queues and operator bodies, in an order where every capability
  /// and batch a body releases still has its unit buffer and pool.
  void release_instances() noexcept;

  friend class unit;
  friend class deterministic_scheduler;

  std::shared_ptr<detail::graph_state> graph_;
  runtime_config config_;
  tbb::task_arena& arena_;

  std::unique_ptr<progress_hub> progress_;  // made by build()

  std::vector<std::unique_ptr<edge_queue>> queues_;
  // queue_index_[node][instance][port] -> queues_ index (or npos for a fused input)
  std::vector<std::vector<std::vector<std::size_t>>> queue_index_;
  std::vector<std::vector<std::unique_ptr<instance_runtime>>> instances_;
  std::vector<std::unique_ptr<unit>> units_;
  std::vector<std::unique_ptr<input_binding>> inputs_;
  std::vector<std::shared_ptr<detail::input_state>> input_states_;
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
  timer_service timers_;  // stopped first in the destructor: it schedules units

  // Last: destroyed first, joining its thread before anything it used goes.
  std::unique_ptr<deterministic_scheduler> deterministic_;
};

}  // namespace streamweave::internal
