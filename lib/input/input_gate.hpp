#pragma once
/// \file
/// `input_gate`: where an input handle's calls go once its graph runs. The handle
/// (`detail::input_state`, under its own mutex) decides *what* happens: times, staging,
/// back-pressure waits, errors. The gate decides *how* it reaches the graph:
///  - the direct gate (`make_direct_gate`) delivers batches into the edge queues and publishes
///    the input's pointstamp changes to the progress hub on the sender's thread;
///  - the logged gate (input/logged_gate.hpp) appends them as events to the input's log in a
///    run with a fixed schedule, whose scheduler releases them in one canonical order.
/// The scheduler picks the gate when the input is bound (`scheduler::bind_input`).
///
/// Thread safety: every call is made with the input's mutex held, so one at a time per input.
#include <streamweave/detail/batch.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <memory>

namespace streamweave::internal {

struct input_binding;

class input_gate {
 public:
  virtual ~input_gate() = default;

  /// Hands over batch `b` (one reference, transferred; `b->time` is the input's time). Throws
  /// `cancelled_error` when user code on the way (an exchange's key function) threw: the run
  /// is then stopping.
  virtual void deliver(detail::batch_base* b) = 0;
  /// Moves the input's capability from time `from` to the later time `to`.
  virtual void advance(timestamp from, timestamp to) = 0;
  /// Drops the input's capability at time `at` (the input closed).
  virtual void close(timestamp at) = 0;
  /// True when the input may hand over more now. Moves batches that wait for a full queue
  /// first, and registers the input to be woken when there is room again.
  virtual bool has_room() = 0;
};

/// The gate of an ordinary run: straight into the queues and the progress hub.
std::unique_ptr<input_gate> make_direct_gate(input_binding& binding);

}  // namespace streamweave::internal
