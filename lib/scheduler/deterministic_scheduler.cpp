// The single-threaded fixed-order scheduler of deterministic runs (see the header).
#include "scheduler/deterministic_scheduler.hpp"

#include "input/logged_gate.hpp"
#include "runtime/execution_state.hpp"

#include <limits>
#include <utility>

namespace streamweave::internal {

namespace {
constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
}

deterministic_scheduler::deterministic_scheduler(execution_state& exec) : exec_(exec), inputs_(exec.inputs().size()) {}

deterministic_scheduler::~deterministic_scheduler() {
  if (thread_.joinable()) thread_.join();
  for (auto& log : inputs_)
    for (auto& e : log.events)
      if (e.batch != nullptr) detail::release_batch(e.batch);
}

std::unique_ptr<input_gate> deterministic_scheduler::bind_input(std::size_t i, input_binding& binding, timestamp time,
                                                                bool closed) {
  {
    std::lock_guard lock(mutex_);
    inputs_[i].time = time;
    inputs_[i].closed = closed;
  }
  return make_logged_gate(binding, *this);
}

void deterministic_scheduler::launch() {
  exec_.task_started();
  try {
    thread_ = std::thread([this] {
      loop();
      exec_.task_done();  // the last access to the execution
    });
  } catch (...) {
    exec_.task_done();
    throw;
  }
}

bool deterministic_scheduler::submit(unit& u) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (exited_) return false;
    ready_.push_back(&u);
  }
  wake_.notify_one();
  return true;
}

void deterministic_scheduler::on_waits_for_outside(unit& u) noexcept { u.waits_for_outside = true; }

void deterministic_scheduler::on_stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_one();
}

// ---------------------------------------------------------------------------------------------
// input side

void deterministic_scheduler::append(const input_binding& b, event e) {
  const std::size_t i = b.index;
  {
    std::lock_guard lock(mutex_);
    auto& log = inputs_[i];
    if (e.k == event::kind::batch) ++log.batches;
    if (e.k == event::kind::advance) log.time = e.to;
    if (e.k == event::kind::close) log.closed = true;
    log.events.push_back(e);
  }
  wake_.notify_one();
}

void deterministic_scheduler::append_batch(const input_binding& b, detail::batch_base* batch) {
  try {
    append(b, {event::kind::batch, batch->time, batch->time, batch});
  } catch (...) {
    detail::release_batch(batch);  // not queued: the reference is still ours
    throw;
  }
}

void deterministic_scheduler::append_advance(const input_binding& b, timestamp from, timestamp to) {
  append(b, {event::kind::advance, from, to, nullptr});
}

void deterministic_scheduler::append_close(const input_binding& b, timestamp at) {
  append(b, {event::kind::close, at, at, nullptr});
}

bool deterministic_scheduler::has_room(const input_binding& b) {
  const std::size_t i = b.index;
  std::lock_guard lock(mutex_);
  return inputs_[i].batches < exec_.config().queue_capacity || next_input() != i;
}

// ---------------------------------------------------------------------------------------------
// scheduler thread

std::size_t deterministic_scheduler::next_input(bool skip_blocked) const {
  // The canonical order is by (key time, input index). An input with an empty log may still
  // send at its current time, so it blocks every event keyed after (time, its index).
  std::size_t best = none;
  timestamp best_time = 0;
  for (std::size_t j = 0; j < inputs_.size(); ++j) {
    const auto& log = inputs_[j];
    if (skip_blocked && !exec_.inputs()[j]->pending.empty()) continue;  // its events queue behind
    timestamp t = 0;
    if (!log.events.empty()) {
      t = log.events.front().key;
    } else if (!log.closed) {
      t = log.time;
    } else {
      continue;  // closed and drained: no more events
    }
    if (best == none || t < best_time) {  // ties go to the lower index, seen first
      best = j;
      best_time = t;
    }
  }
  if (best == none || inputs_[best].events.empty()) return none;
  return best;
}

bool deterministic_scheduler::blocked_by_outside() const {
  const std::size_t hops = exec_.unit_count();
  for (const auto& b : exec_.inputs()) {
    if (b->pending.empty()) continue;
    // Follow the chain of units whose own output waits for a full queue.
    const unit* u = b->pending.front().consumer;
    for (std::size_t i = 0; u != nullptr && i <= hops; ++i) {
      if (u->waits_for_outside) return true;
      if (u->pending.empty()) break;
      u = u->pending.front().consumer;
    }
  }
  return false;
}

bool deterministic_scheduler::flush_inputs() {
  bool all = true;
  for (auto& b : exec_.inputs())
    if (!b->pending.empty() && !flush_pending(b->pending, b.get())) all = false;
  return all;
}

void deterministic_scheduler::release(std::size_t i, const event& e) {
  input_binding& b = *exec_.inputs()[i];
  switch (e.k) {
    case event::kind::batch:
      try {
        deliver(*b.output, e.batch, exec_.config().batch_size, {b.progress, b.pending}, nullptr);
      } catch (...) {
        // An exchange's key function right after the input threw; like any operator failure
        // it stops the run, and the senders learn it from their next call.
        exec_.fail(exec_.input_state(i).name(), std::current_exception());
      }
      break;
    case event::kind::advance:
      b.progress.post(b.location, e.to, +1);
      b.progress.post(b.location, e.key, -1);
      break;
    case event::kind::close:
      b.progress.post(b.location, e.key, -1);
      break;
  }
  exec_.publish(b.slot, b.progress);
}

void deterministic_scheduler::loop() {
  for (;;) {
    unit* u = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (!ready_.empty()) {
        u = ready_.front();
        ready_.pop_front();
      }
    }
    bool stalled = false;
    if (u != nullptr) {
      const std::uint64_t before = progress_;
      u->run();  // ends with task_done() for its submission
      if (progress_ == before) {
        // Twice without progress anywhere in between: the unit waits for something that only
        // a later event can bring, or it was woken by an outside thread (an output handle's
        // reader, say) without room to use yet. The next event may go in.
        const auto [it, fresh] = idle_at_.try_emplace(u, before);
        stalled = !fresh && it->second == before;
        it->second = before;
      }
      if (!stalled) continue;
    }
    // Quiescent (nothing is ready), or stalled.
    if (exec_.stopping() || exec_.completed()) {
      std::lock_guard lock(mutex_);
      if (!ready_.empty()) continue;
      exited_ = true;  // later submissions are counted done at once
      return;
    }
    const bool flushed = flush_inputs();
    std::unique_lock lock(mutex_);
    if (!ready_.empty() && !stalled) continue;
    // Input batches may still wait for a full queue while nothing is ready. If the queues
    // that hold them back lead to a unit waiting for an outside thread (an output handle's
    // reader), wait for that wake-up before releasing more input. Otherwise some consumer
    // left that input on purpose (a generic body waiting for another input's frontier parks
    // instead of spinning): the graph is at a fixed point, so, as after a stall, the other
    // inputs' events go in meanwhile (the blocked input's later events queue behind its
    // batches).
    const bool skip_blocked = stalled || !blocked_by_outside();
    const auto candidate = [&] { return flushed ? next_input() : skip_blocked ? next_input(true) : none; };
    std::size_t i = candidate();
    if (i == none) {
      // Stalled with no event to release: units still ready run on. They were woken by an
      // outside thread (an output handle's reader making room) or rescheduled themselves;
      // waiting for an event instead could wait forever once the inputs are drained. (A body
      // that makes no progress cannot change what the sinks see, so running it again does not
      // make the run depend on timing.)
      if (!ready_.empty()) continue;
      // Nothing ready: wait until the next event is known, the run stops or an outside thread
      // wakes a unit.
      wake_.wait(lock, [&] { return notified_ || !ready_.empty() || candidate() != none; });
      if (notified_ || !ready_.empty()) continue;
      i = candidate();
    }
    event e = inputs_[i].events.front();
    inputs_[i].events.pop_front();
    if (e.k == event::kind::batch) --inputs_[i].batches;
    lock.unlock();
    exec_.input_state(i).wake_senders();  // a sender may wait for room in the log
    release(i, e);
    exec_.run_tracker();
  }
}

scheduler_factory deterministic_scheduler_factory() {
  return [](execution_state& exec) -> std::unique_ptr<scheduler> { return std::make_unique<deterministic_scheduler>(exec); };
}

}  // namespace streamweave::internal
