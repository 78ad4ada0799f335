#include "scheduler/unit.hpp"

#include "runtime/execution_state.hpp"

#include <streamweave/detail/assert.hpp>

#include <utility>

namespace streamweave::detail {
namespace {
thread_local const progress_buffer* running_buffer = nullptr;
}  // namespace

void check_capability_owner([[maybe_unused]] const progress_buffer* owner) noexcept {
  STREAMWEAVE_ASSERT(owner != nullptr, "a capability counts in no progress buffer");
  STREAMWEAVE_ASSERT(running_buffer == nullptr || running_buffer == owner,
                     "a capability was used inside another operator's activation (a capability stays with the "
                     "operator instance that owns it)");
}
}  // namespace streamweave::detail

namespace streamweave::internal {

running_buffer_scope::running_buffer_scope(const detail::progress_buffer* buffer) noexcept
    : previous_(std::exchange(detail::running_buffer, buffer)) {}

running_buffer_scope::~running_buffer_scope() { detail::running_buffer = previous_; }

void unit::schedule() noexcept {
  // A read-modify-write, not a load: it is ordered with run()'s exchange in the state's
  // modification order. Either run() sees what the caller published before calling schedule()
  // (a pushed batch, a new frontier), or this call sees `running` and asks for another run.
  // Plain release/acquire on both sides would allow both to miss each other (store buffering).
  int s = state_.fetch_or(0, std::memory_order_acq_rel);
  for (;;) {
    if (s == idle) {
      if (state_.compare_exchange_weak(s, scheduled, std::memory_order_acq_rel)) {
        exec->submit(*this);
        return;
      }
    } else if (s == running) {
      if (state_.compare_exchange_weak(s, running_again, std::memory_order_acq_rel)) return;
    } else {
      return;  // already scheduled, or will run again
    }
  }
}

bool unit::activate_once() noexcept {
  bool more = false;
  current = head;
  const running_buffer_scope in_activation(&progress);
  const std::int64_t started = count_activity ? unit_counters::now_ns() : 0;
  std::pair<std::uint64_t, std::uint64_t> taken{0, 0};
  if (count_activity) {
    counters.begin_activation(started);
    if (trace) taken = taken_so_far();
  }
  try {
    for (instance_runtime* m : members)
      for (std::size_t p = 0; p < m->input_locations.size(); ++p)
        m->frontier_snapshot[p] = exec->frontier_of(m->input_locations[p]);
    if (!output_waits() || flush_pending(pending, this) || unthrottled) {  // flushed: room again
      budget_ = exec->config().activation_budget;
      detail::activation act(*head);
      more = head->body->activate(act);
    }
    for (instance_runtime* m : members)
      if (m->last_popped != nullptr) detail::release_batch(std::exchange(m->last_popped, nullptr));
    if (output_waits()) {
      if (!may_take()) more = false;
      wait_for_room(pending.front(), this);
    }
    exec->publish(slot, progress);
    if (count_activity) account_activation(started, taken, output_waits());
  } catch (...) {
    for (instance_runtime* m : members)
      if (m->last_popped != nullptr) detail::release_batch(std::exchange(m->last_popped, nullptr));
    exec->fail(current->spec->name, std::current_exception());
    if (count_activity) account_activation(started, taken, false);  // a failed run waits for nothing
    more = false;
  }
  return more;
}

std::pair<std::uint64_t, std::uint64_t> unit::taken_so_far() const noexcept {
  std::pair<std::uint64_t, std::uint64_t> sum{0, 0};
  for (const instance_runtime* m : members) {
    sum.first += m->counters.batches_in.load(std::memory_order_relaxed);
    sum.second += m->counters.records_in.load(std::memory_order_relaxed);
  }
  return sum;
}

void unit::account_activation(std::int64_t started, std::pair<std::uint64_t, std::uint64_t> taken,
                              bool waits) noexcept {
  const std::int64_t ended = unit_counters::now_ns();
  counters.end_activation(started, ended, waits);
  if (!trace) return;
  const auto now_taken = taken_so_far();
  const std::int64_t duration = ended > started ? ended - started : 0;  // clamped, as the counters are
  trace->push(activation_span{started, duration, trace_thread_index(), now_taken.first - taken.first,
                              now_taken.second - taken.second});
}

void unit::run() noexcept {
  // One task: this unit's rounds, then, when it went idle, any unit the scheduler hands this
  // thread meanwhile (runtime_options::idle_spin), each counted as its own task. A loop, not a
  // call from run_rounds, so a long chain of hand-offs does not grow the stack.
  unit* u = this;
  while (u != nullptr) {
    execution_state* const e = u->exec;
    unit* const next = u->run_rounds() ? e->take_next_after_idle() : nullptr;
    e->task_done();  // `next`, if any, still counts as a task: the execution outlives this line
    u = next;
  }
}

bool unit::run_rounds() noexcept {
  // A unit that still has work, or was woken while it ran, runs again right here, up to
  // `inline_rounds` activations per task: it stays on this thread (its state stays in this
  // core's cache) and saves a trip through the arena's queue. After that it goes to the back
  // of the queue, so units sharing the threads all make progress.
  constexpr int inline_rounds = 16;
  for (int round = 1;; ++round) {
    [[maybe_unused]] const int was = state_.exchange(running, std::memory_order_acq_rel);  // see schedule()
    // A task runs a scheduled unit; an inline round follows a round that left it running
    // (more work) or running_again (woken meanwhile). Anything else is a unit run twice.
    STREAMWEAVE_ASSERT(round == 1 ? was == scheduled : (was == running || was == running_again),
                       "unit::run: the unit was not scheduled (run twice at once, or after it went idle)");
    waits_for_outside = false;  // read by a deterministic run's scheduler, on this thread
    const bool more = !exec->stopping() && activate_once() && !exec->stopping();
    exec->run_tracker();
    if (!more) {
      int expected = running;
      if (state_.compare_exchange_strong(expected, idle, std::memory_order_acq_rel)) return true;
      // schedule() was called while we ran: run again.
    }
    if (round < inline_rounds) continue;
    state_.store(scheduled, std::memory_order_release);
    exec->submit(*this);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// execution_state: wiring

}  // namespace streamweave::internal
