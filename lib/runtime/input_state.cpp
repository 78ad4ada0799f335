// Input handles: outside threads feeding a running graph (streamweave::detail::input_state).
#include "input/process_barrier.hpp"
#include "logging/log.hpp"
#include "runtime/execution_state.hpp"

#include <streamweave/detail/assert.hpp>
#include <streamweave/error.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

namespace streamweave::detail {

input_state::input_state(std::string name)
    : name_(std::move(name)), pool_(new batch_pool(), [](batch_pool* p) { delete p; }) {}

input_state::~input_state() {
  if (staging_ != nullptr) release_batch(staging_);
}

std::uint64_t input_state::next_thread_token() noexcept {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

void input_state::offer_bias(const std::unique_lock<std::mutex>& lock) noexcept {
  STREAMWEAVE_ASSERT(lock.owns_lock() && lock.mutex() == &mutex_, "input_state::offer_bias without the input's lock");
  const std::uint64_t me = this_thread_token();
  if (last_sender_ != 0 && last_sender_ != me) bias_disabled_ = true;  // a second sending thread
  last_sender_ = me;
  if (bias_disabled_ || bias_owner_.load(std::memory_order_relaxed) == me || !may_send() ||
      !internal::process_barrier_available())
    return;
  // No other owner can exist here: lock() revoked it. The owner reads this with a relaxed load
  // on its own thread, so no ordering is needed.
  bias_owner_.store(me, std::memory_order_relaxed);
}

void input_state::revoke_bias() noexcept {
  bias_owner_.store(0, std::memory_order_relaxed);
  // Pairs with the compiler fence in enter_biased: after this, either the owner's store of
  // owner_appending_ = true is visible below, or its re-read of bias_owner_ sees 0.
  internal::process_barrier();
  for (unsigned spins = 0; owner_appending_.load(std::memory_order_acquire); ++spins)
    if (spins > 64) std::this_thread::yield();  // the owner was preempted inside its append
}

void input_state::drop_bias() noexcept {
  const std::uint64_t owner = bias_owner_.load(std::memory_order_relaxed);
  if (owner == 0) return;
  if (owner == this_thread_token())
    bias_owner_.store(0, std::memory_order_relaxed);  // the owner itself: not appending now
  else
    revoke_bias();
}

void input_state::bind(const std::unique_lock<std::mutex>& lock, internal::input_binding& b) noexcept {
  STREAMWEAVE_ASSERT(lock.owns_lock() && lock.mutex() == &mutex_, "input_state::bind without the input's lock");
  drop_bias();
  last_sender_ = 0;
  bias_disabled_ = false;
  binding_ = &b;
  batch_size_ = b.exec->config().batch_size;
  // A quarter of the queue's byte budget, so that several staged batches fit in a queue and
  // the sender and its consumer overlap.
  const std::size_t budget = b.exec->config().queue_bytes;
  batch_bytes_ = budget == 0 ? 0 : std::max<std::size_t>(1, budget / 4);
}

void input_state::unbind(const std::unique_lock<std::mutex>& lock) noexcept {
  STREAMWEAVE_ASSERT(lock.owns_lock() && lock.mutex() == &mutex_, "input_state::unbind without the input's lock");
  drop_bias();
  binding_ = nullptr;
  run_over_ = true;
  batch_size_ = unbound_batch_size;
  batch_bytes_ = 0;
}

void input_state::refuse(const char* op, const std::string& detail) const {
  // Called only when the input is closed, its run stopped, or it has no run (check_can_send).
  STREAMWEAVE_ASSERT(closed_ || cancelled.load(std::memory_order_acquire) || binding_ == nullptr,
                     "input_state::refuse called for an input that may send");
  const std::string who = "input '" + name_ + "': " + op;
  if (closed_) throw usage_error(who + " after close()" + detail);
  if (cancelled.load(std::memory_order_acquire))
    throw cancelled_error(who + " on a run that was cancelled or failed" + detail);
  if (run_over_) throw usage_error(who + " after the run ended" + detail);
  throw usage_error(who + " before the graph runs (call runtime::run first)" + detail);
}

void input_state::hand_over_written(std::unique_lock<std::mutex>& lock, batch_base* b, bool wait, const char* op) {
  STREAMWEAVE_ASSERT(lock.owns_lock() && lock.mutex() == &mutex_, "hand_over_written without the input's lock");
  if (!may_send()) {
    const std::size_t lost = b->size();
    release_batch(b);
    refuse(op, " (an input_writer held " + std::to_string(lost) + " records, which were not sent)");
  }
  hand_over(b);
  if (wait) wait_for_space(lock);
}

void input_state::hand_over_written_or_warn(batch_base* b) noexcept {
  const std::size_t held = b->size();
  try {
    if (may_send()) {
      hand_over(b);  // takes b also when it throws (the run is then stopping)
      return;
    }
    release_batch(b);
  } catch (...) {
  }
  if (!cancelled.load(std::memory_order_acquire))  // a stopped run reports its own cause from wait()
    internal::log::warn("input '{}': an input_writer was destroyed holding {} records that could not be sent "
                        "(the input was closed or its run ended)",
                        name_, held);
}

void input_state::wake_senders() noexcept {
  space_generation.fetch_add(1, std::memory_order_release);
  space_generation.notify_all();
}

bool input_state::backpressured() {
  if (binding_ == nullptr) return false;
  return !binding_->gate->has_room();
}

void input_state::hand_over(batch_base* b) {
  b->time = time_;
  if (binding_->exec->config().metrics) {  // the sender handing over is the counters' one writer
    internal::add_owned(binding_->counters.records_sent, b->size());
    internal::add_owned(binding_->counters.batches_sent, 1);
  }
  binding_->gate->deliver(b);
}

void input_state::hand_over_staging() {
  staged_bytes_ = 0;
  if (staging_ == nullptr || staging_->size() == 0) return;
  hand_over(std::exchange(staging_, nullptr));
}

void input_state::wait_for_space(std::unique_lock<std::mutex>& lock) {
  for (;;) {
    const std::uint64_t seen = space_generation.load(std::memory_order_acquire);
    if (binding_ == nullptr || cancelled.load(std::memory_order_acquire))
      throw cancelled_error("input '" + name_ + "': the run stopped while a send waited for space");
    if (binding_->gate->has_room()) return;
    const auto waited_from = std::chrono::steady_clock::now();
    lock.unlock();
    space_generation.wait(seen, std::memory_order_acquire);
    lock.lock();
    // Under the mutex again, so the senders that waited add one at a time.
    if (binding_ != nullptr && binding_->exec->config().metrics)
      internal::add_owned(binding_->counters.blocked_ns,
                          static_cast<std::uint64_t>((std::chrono::steady_clock::now() - waited_from).count()));
  }
}

bool input_state::flush(std::unique_lock<std::mutex>& lock, bool wait) {
  check_can_send("flush");
  hand_over_staging();
  if (wait) {
    wait_for_space(lock);
    return true;
  }
  return !backpressured();
}

bool input_state::advance_to(std::unique_lock<std::mutex>& lock, timestamp t, bool wait) {
  if (t > max_timestamp)
    throw usage_error("input '" + name_ + "': advance_to(" + std::to_string(t) +
                      ") is beyond the largest time, max_timestamp = 2^64 - 2 (2^64 - 1 means \"no more input\": "
                      "call close())");
  if (closed_) throw usage_error("input '" + name_ + "': advance_to after close()");
  if (t < time_)
    throw usage_error("input '" + name_ + "': advance_to(" + std::to_string(t) + ") goes backwards from time " +
                      std::to_string(time_));
  if (binding_ == nullptr && !run_over_) {
    time_ = t;  // before the run: the initial capability will be at `t`
    return true;
  }
  check_can_send("advance_to");  // a stopped run: cancelled_error, as for send; an ended one: usage_error
  if (t == time_) return wait || !backpressured();
  hand_over_staging();  // what was sent before this call keeps its time
  // The new time takes effect here, under the mutex and before any wait: from now on every
  // copy's time() is `t` and every record sent is stamped `t`, while this call may still wait
  // for queue space below.
  binding_->exec->on_input_time(binding_->index, t);  // stamped before the move is published
  binding_->gate->advance(time_, t);
  time_ = t;
  if (!wait) return !backpressured();
  wait_for_space(lock);
  return true;
}

void input_state::close(std::unique_lock<std::mutex>& lock) noexcept {
  if (closed_) return;
  drop_bias();  // the owner's own close too: no append may follow
  closed_ = true;  // from here on, advance_to and send on any copy throw usage_error
  if (binding_ == nullptr) return;
  const bool live = !cancelled.load(std::memory_order_acquire);
  try {
    if (live) hand_over_staging();
  } catch (...) {
    // The exchange key function threw: the run is stopping and nothing downstream will read.
  }
  try {
    binding_->exec->on_input_time(binding_->index, empty_frontier);
    binding_->gate->close(time_);
  } catch (...) {
    // Out of memory for one event or update: the input stays open and the run cannot complete.
  }
  try {
    // Batches that met a full queue must still get in: only a waiting caller moves them.
    if (live) wait_for_space(lock);
  } catch (...) {
    // Cancelled while waiting: the run is stopping and nothing downstream will read the data.
  }
}

}  // namespace streamweave::detail
