#pragma once
/// \file
/// `deterministic_scheduler`: runs one execution on a single thread of its own with a fixed
/// schedule (`runtime_options::deterministic`), so that the same input gives the same sink
/// output, in the same order, run after run.
///
/// Two things make a run depend on timing, and this class removes both:
///  - several workers and TBB's task order: here one thread runs the units, in the FIFO order
///    in which they were scheduled; the tracker runs on that thread after every activation;
///  - outside threads (input handles) sending at arbitrary moments: here input handles do not
///    touch the graph. Each input appends *events* (a batch at time t, advance from t to u,
///    close at t) to its own log, and the scheduler releases them in one canonical order: the
///    merge of the per-input logs by (time of the event, input index), each log in call order.
///    An event is released only once it is certainly the next in that order: every other input
///    either has a later-keyed event queued, or has an empty log and a current time that sorts
///    after the event (its next event can only be keyed later), or is closed. After each released event the graph runs to quiescence
///    (no unit ready) before the next one is released, or until it stalls: a unit ran twice
///    with no progress anywhere in between, when the next event is released if it is known
///    (else the units still ready run on). At quiescence, an input whose batches wait for a full queue is skipped (its
///    later events queue behind them) unless that queue's consumer, through a chain of full
///    queues, waits for an outside thread: a generic body that leaves input until another
///    input's frontier moves parks, and the other inputs' events must still go in.
///
/// Hence the order of everything the graph does is a function of the sequence of
/// (send/flush, advance_to, close) calls made on each input (and their batch boundaries,
/// i.e. batch_size and explicit flushes), independent of how the senders' calls interleave.
///
/// Back-pressure: an input's log holds at most `queue_capacity` batches *while the input is
/// next in the canonical order* (the scheduler is then certain to consume it); an input whose
/// data is held back by a lagging other input buffers without blocking, so a single thread
/// feeding several inputs in any order cannot deadlock.
///
/// Thread safety: `enqueue`, `notify` and the input-side functions (`append_*`, `has_room`)
/// may be called from any thread; the rest runs on the scheduler thread.
#include <streamweave/detail/batch.hpp>
#include <streamweave/progress/timestamp.hpp>

#include "scheduler/scheduler.hpp"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace streamweave::internal {

class execution_state;
class unit;
struct input_binding;

class deterministic_scheduler final : public scheduler {
 public:
  explicit deterministic_scheduler(execution_state& exec);
  /// Joins the thread (it has left the execution by then) and drops unreleased batches.
  ~deterministic_scheduler();
  deterministic_scheduler(const deterministic_scheduler&) = delete;
  deterministic_scheduler& operator=(const deterministic_scheduler&) = delete;

  /// Records input `i`'s time and state when it was bound (in `execution_state::start`) and
  /// gives it a logged gate (input/logged_gate.hpp): its calls become events in its log.
  std::unique_ptr<input_gate> bind_input(std::size_t i, input_binding& binding, timestamp time, bool closed) override;
  /// Starts the scheduler thread (counted as one task of the execution until it exits).
  void launch() override;

  /// Appends `unit` to the ready queue; false once the thread has exited (nothing will run it).
  bool submit(unit& u) noexcept override;
  /// Wakes the scheduler thread (the run stopped).
  void on_stop() noexcept override;
  /// Counts a progress publication (`execution_state::publish` with updates). Only the
  /// scheduler thread publishes in a deterministic run.
  void on_published() noexcept override { ++progress_; }
  /// Marks `u` as waiting for an outside thread (read by `blocked_by_outside`); scheduler thread.
  void on_waits_for_outside(unit& u) noexcept override;

  // Input side (the logged gate), called by the input's sender with the input's mutex held.
  /// Queues batch `b` (one reference, transferred) at `b->time`.
  void append_batch(const input_binding& in, detail::batch_base* b);
  void append_advance(const input_binding& in, timestamp from, timestamp to);
  void append_close(const input_binding& in, timestamp at);
  /// False while the input's log is full and the scheduler is certain to consume it next.
  bool has_room(const input_binding& in);

 private:
  struct event {
    enum class kind { batch, advance, close };
    kind k = kind::batch;
    timestamp key = 0;  // the input's time when the call was made
    timestamp to = 0;   // advance: the new time
    detail::batch_base* batch = nullptr;
  };
  struct input_log {
    std::deque<event> events;
    std::size_t batches = 0;  // batch events in `events`
    timestamp time = 0;       // the input's time after its last event
    bool closed = false;      // a close event was appended
  };

  void loop();
  /// The input whose head event is certainly next in the canonical order, or `none` (defined in
  /// the .cpp) while that is not known yet. Requires mutex_. With `skip_blocked` (scheduler
  /// thread only), inputs whose released batches wait for queue space are left out.
  std::size_t next_input(bool skip_blocked = false) const;
  /// Releases one event into the graph (on the scheduler thread, without mutex_).
  void release(std::size_t i, const event& e);
  /// Tries to push batches of inputs that met a full queue; true when none is left pending.
  bool flush_inputs();
  /// True when an input's batches wait for a full queue and the chain of full queues behind
  /// it ends at a unit that waits for an outside thread (`unit::waits_for_outside`).
  bool blocked_by_outside() const;
  void append(const input_binding& in, event e);

  execution_state& exec_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<unit*> ready_;         // guarded by mutex_
  std::vector<input_log> inputs_;   // guarded by mutex_
  bool exited_ = false;             // guarded by mutex_
  std::uint64_t progress_ = 0;      // scheduler thread: progress publications so far
  std::unordered_map<const unit*, std::uint64_t> idle_at_;  // scheduler thread: `progress_` at a unit's last run without progress
  bool notified_ = false;           // guarded by mutex_
};

/// A factory for deterministic schedulers (one per execution).
scheduler_factory deterministic_scheduler_factory();

}  // namespace streamweave::internal
