#pragma once
/// \file
/// The bridge between typed operator bodies (templates in public headers) and the untyped
/// runtime in lib/. Users never include this directly.
///
/// An operator *instance* is a `node_body`. The runtime calls `activate` from one scheduler
/// task at a time per instance (never concurrently with itself), so a body's state needs no
/// locks. Inside an activation the body talks to the runtime through `activation`, which
/// lib/scheduler/activation.cpp implements.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/progress_buffer.hpp>
#include <streamweave/progress/location.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>

namespace streamweave::internal {
class instance_runtime;
}

namespace streamweave::detail {

/// Frontier value meaning "empty frontier": nothing will ever arrive.
inline constexpr timestamp empty_frontier = std::numeric_limits<timestamp>::max();

class node_body;

/// What one operator instance may do during an activation. Valid only inside `activate` or
/// `on_batch` of the body it was passed to. Thread safety: single thread (the activation's).
class activation {
 public:
  explicit activation(internal::instance_runtime& inst) noexcept : inst_(&inst) {}

  /// Pops up to the activation budget of batches from every input and hands each to
  /// `body.on_batch`, counting them consumed. Stops early while outputs are back-pressured.
  /// Returns true when input remains that could be processed now.
  bool process_inputs(node_body& body);

  /// Pops the next batch of input `port`, or nullptr when it is empty, the budget is spent or
  /// outputs are back-pressured (never, for a loop feedback's unit, which is unthrottled). The batch is counted consumed and stays valid until the next
  /// `pop` or the end of the activation.
  const batch_base* pop(std::size_t port);
  /// True when some input still has queued batches.
  bool has_input() const;

  /// The current frontier of input `port`: the earliest time that may still arrive there, or
  /// `empty_frontier`. Read once at the start of the activation.
  timestamp input_frontier(std::size_t port) const;

  /// Sends `b` (one reference, transferred) on output `port` to every consumer, counting it.
  void emit(std::size_t port, batch_base* b);
  batch_pool& pool(std::size_t port);
  /// True when some output holds batches its full queues did not accept yet: produce no more.
  /// Also true for a loop feedback unit, which still takes input meanwhile (its input-taking
  /// follows `unit::may_take`, lib/scheduler/unit.hpp, the one back-pressure rule).
  bool blocked() const;

  std::size_t batch_size() const noexcept;
  /// Takes one unit of the activation budget (for operators that produce without input, such
  /// as sources); false when the budget is spent and the operator should yield.
  bool take_budget() noexcept;
  /// True when this activation's budget is used up (input left now is for the next one).
  bool budget_spent() const noexcept;
  /// True when every input frontier (as read at the start of the activation) has passed `t`.
  bool all_inputs_passed(timestamp t) const noexcept;
  progress_buffer& progress() noexcept;
  /// The tracker location of output `port` (where capabilities for it are counted).
  progress::location_id output_location(std::size_t port) const;
  const std::string& node_name() const noexcept;
  std::size_t instance_index() const noexcept;
  std::size_t instance_count() const noexcept;
  /// Schedules this instance again later (e.g. when an outside thread freed space).
  std::function<void()> waker() const;
  /// Schedules this instance at or soon after the wall-clock time `when`, from the execution's
  /// timer thread (lib/scheduler/timer_service.hpp, started on first use). Wake-ups still pending
  /// when the execution is destroyed are dropped.
  void wake_at(std::chrono::steady_clock::time_point when);

 private:
  internal::instance_runtime* inst_;
};

class node_body {
 public:
  virtual ~node_body() = default;
  /// Runs one activation. Returns true when more work could be done right now (the runtime
  /// reschedules the instance after letting others run).
  virtual bool activate(activation& act) = 0;
  /// Receives one batch on input `port`, from `activation::process_inputs` or from a fused
  /// upstream operator. The batch is read-only and must not be retained.
  virtual void on_batch(activation& act, std::size_t port, const batch_base& b) {
    (void)act;
    (void)port;
    (void)b;
  }
  /// Called once when the run stops early (failure or cancel), from whichever thread stops it,
  /// possibly while an activation of this body runs: must be thread-safe and must not throw.
  /// Sinks that outside threads wait on use it to release them.
  virtual void on_run_stopped() noexcept {}
};

}  // namespace streamweave::detail
