#pragma once
/// \file
/// Scheduling units and what they run. An operator instance (`instance_runtime`) is one
/// parallel copy of a node: its body, its input queues and output ports. A `unit` is what the
/// scheduler runs: an instance plus the instances fused into it, one task at a time and one
/// progress source. `input_binding` is the runtime side of an input handle, the other kind of
/// progress source.
///
/// The unit state machine: idle -> scheduled (schedule(): submitted to the scheduler) ->
/// running (run()) -> idle; schedule() while running -> running_again, and run() goes round
/// once more. So a unit never runs on two threads at once, and a wake-up during a run is never
/// lost. run() checks the transitions with STREAMWEAVE_ASSERT.
#include <streamweave/detail/input_state.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/detail/progress_buffer.hpp>

#include "input/input_gate.hpp"
#include "observe/activation_trace.hpp"
#include "observe/activity_counters.hpp"
#include "queue/edge_queue.hpp"
#include "runtime/delivery.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace streamweave::internal {

class execution_state;

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
  /// `runtime_options::metrics`: count into `counters` (set before the run starts).
  bool count_activity = false;
  instance_counters counters;  // written by the running thread of `owner` (observe/activity_counters.hpp)

  /// Counts `b` as received (a popped or fused batch). Running thread only.
  void count_in(const detail::batch_base& b) noexcept {
    if (count_activity) counters.count_in(b.size());
  }
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
  instance_runtime* current = nullptr;  // whose code runs now (for error messages)
  /// A loop feedback unit: it takes input while its output waits for queue space
  /// (detail/loop_operators.hpp). Set before the run starts.
  bool unthrottled = false;
  /// Deterministic runs only (scheduler thread): the body asked for a waker in its last
  /// activation, so it waits for an outside thread (an output handle's reader) to resume it.
  bool waits_for_outside = false;
  /// `runtime_options::metrics`: time activations into `counters` (set before the run starts).
  bool count_activity = false;
  unit_counters counters;  // written by the running thread (observe/activity_counters.hpp)
  /// `runtime_options::trace_capacity`: this unit's last activations (null when not tracing).
  std::unique_ptr<trace_ring<activation_span>> trace;

  /// The back-pressure rule, in one place. `output_waits`: some output batch waits for queue
  /// space (the unit registered to be woken when there is room). `may_take`: the unit may take
  /// input now: its outputs do not wait, or it is unthrottled (a loop feedback unit keeps taking
  /// input while its output waits, or the loop could deadlock). Running thread only.
  bool output_waits() const noexcept { return !pending.empty(); }
  bool may_take() const noexcept { return !output_waits() || unthrottled; }

  // What an activation (lib/scheduler/activation.cpp) asks of its unit; running thread only.
  /// Takes one batch (or one unit of work) of this activation's budget; false when spent.
  bool take_budget() noexcept {
    if (budget_ == 0) return false;
    --budget_;
    return true;
  }
  bool budget_spent() const noexcept { return budget_ == 0; }
  /// Counts a batch taken from the queue at `location` as consumed (a -1 at its time).
  void count_consumed(progress::location_id location, timestamp t) { progress.post(location, t, -1); }
  /// Where the unit's output batches go: its progress buffer and its waiting pushes.
  delivery_sink outbox() noexcept { return {progress, pending}; }

  /// Makes sure the unit runs (again) soon. Thread safety: any thread.
  void schedule() noexcept;
  /// Runs the unit (one or more activations), then any unit the scheduler hands this thread
  /// when it went idle (`scheduler::take_next_after_idle`); ends each with `task_done`. Called
  /// by the scheduler only.
  void run() noexcept;

  void wake() noexcept override { schedule(); }
  std::function<void()> waker() {
    return [this] { schedule(); };
  }

 private:
  /// One activation: returns true when more work is ready now.
  bool activate_once() noexcept;
  /// Ends an activation that began at `started` (counters, and the trace when on); `taken`:
  /// the members' batches and records in before it began; `waits`: output waits for room.
  void account_activation(std::int64_t started, std::pair<std::uint64_t, std::uint64_t> taken, bool waits) noexcept;
  /// The members' batches and records in so far.
  std::pair<std::uint64_t, std::uint64_t> taken_so_far() const noexcept;
  /// This unit's rounds of one task: true when it went idle, false when it queued itself again
  /// (more work after `inline_rounds`; the thread then waits for nothing, since work is queued).
  bool run_rounds() noexcept;
  // idle -> scheduled -> running -> idle; running + schedule() -> running_again.
  enum : int { idle = 0, scheduled = 1, running = 2, running_again = 3 };
  std::atomic<int> state_{idle};
  std::size_t budget_ = 0;  // running thread only; refilled per activation
};

/// Marks `buffer` as the progress buffer of the activation running on this thread for the
/// scope's life (see detail::check_capability_owner); restores the previous one after. With
/// nullptr it marks code that runs no activation even when called from inside one: wiring a
/// graph (minting its initial capabilities) and releasing it (destroying operator state), as
/// when an operator starts or destroys a run of another graph.
class running_buffer_scope {
 public:
  explicit running_buffer_scope(const detail::progress_buffer* buffer) noexcept;
  ~running_buffer_scope();
  running_buffer_scope(const running_buffer_scope&) = delete;
  running_buffer_scope& operator=(const running_buffer_scope&) = delete;

 private:
  const detail::progress_buffer* previous_;
};

/// Lib side of an input handle. As a producer it is woken by waking the blocked senders.
struct input_binding final : producer_waker {
  void wake() noexcept override { state->wake_senders(); }
  detail::input_state* state = nullptr;
  execution_state* exec = nullptr;
  std::unique_ptr<output_port_runtime> output;
  /// Where the handle's calls go. Written once by `execution_state::start` under the input's
  /// lock, before `input_state::bind` in the same critical section; read only by senders
  /// holding that lock, so the input's mutex publishes it.
  std::unique_ptr<input_gate> gate;
  progress::location_id location = 0;
  std::uint32_t slot = 0;
  std::size_t index = 0;  // position in execution_state::inputs_
  // Owned by the sender holding the input's lock (input_state::lock); in a deterministic run
  // by the scheduler thread only.
  detail::progress_buffer progress;
  std::vector<pending_push> pending;
  /// Written by the sender that hands a batch over (see `progress` above).
  input_counters counters;
};

}  // namespace streamweave::internal
