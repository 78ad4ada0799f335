#pragma once
/// \file
/// `input_handle<T>`: feeds a graph from outside threads (the in-process equivalent of a
/// message producer). Created by `graph::input<T>(name)`; copies share one input.
///
/// Records sent are buffered into a batch at the input's current time and handed to the graph
/// when the batch is full, on `flush()`, on `advance_to()` and on `close()`. `advance_to(t)`
/// promises that no record earlier than `t` will follow; time `t - 1` can then complete
/// downstream. The input holds back every frontier downstream until it advances or closes,
/// and the run cannot complete while it is open. Destroying the last copy closes it.
///
/// Back-pressure: `send`, `flush`, `advance_to` and `close` block while the graph's queues are
/// full; `try_send` returns false instead. A blocked call throws `cancelled_error` when the run
/// stops (cancel or operator failure).
///
/// Thread safety: every member may be called from any thread; calls are serialised per input.
/// Errors: `usage_error` (naming the input) for send after close, send before `runtime::run`,
/// or `advance_to` going backwards.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/input_state.hpp>

#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

namespace streamweave {

template <class T>
class input_handle {
 public:
  explicit input_handle(std::shared_ptr<detail::input_state> state)
      : state_(std::move(state)), closer_(std::shared_ptr<void>(nullptr, [s = state_](void*) {
          std::unique_lock lock(s->mutex);
          s->close(lock);
        })) {}

  /// Sends one record at the current time; blocks while the graph is back-pressured.
  void send(T record) {
    std::unique_lock lock(state_->mutex);
    state_->check_can_send("send");
    stage(std::move(record));
    if (staged_size() >= state_->batch_size()) state_->flush(lock, true);
  }

  /// Sends the records as (part of) batches at the current time; blocks like `send`.
  void send(std::span<const T> records) {
    std::unique_lock lock(state_->mutex);
    state_->check_can_send("send");
    for (const T& r : records) {
      stage(r);
      if (staged_size() >= state_->batch_size()) {
        state_->flush(lock, true);  // may release the mutex while it waits for space
        state_->check_can_send("send");  // another thread may have closed the input meanwhile
      }
    }
  }
  void send(const std::vector<T>& records) { send(std::span<const T>(records)); }

  /// Like `send`, but never blocks: returns false (and keeps nothing) while the graph is
  /// back-pressured. Call `flush()` or `advance_to()` later to make sure records staged by
  /// accepted calls are delivered.
  bool try_send(T record) {
    std::unique_lock lock(state_->mutex);
    state_->check_can_send("try_send");
    if (state_->backpressured()) return false;
    if (staged_size() >= state_->batch_size() && !state_->flush(lock, false)) return false;
    stage(std::move(record));
    if (staged_size() >= state_->batch_size()) state_->flush(lock, false);
    return true;
  }

  /// Hands staged records to the graph now (low latency) and waits for queue space.
  void flush() {
    std::unique_lock lock(state_->mutex);
    state_->flush(lock, true);
  }

  /// Promises that no record earlier than `t` follows. Sends what is staged first.
  void advance_to(timestamp t) {
    std::unique_lock lock(state_->mutex);
    state_->advance_to(lock, t);
  }

  /// Sends what is staged and ends the input. Idempotent.
  void close() {
    std::unique_lock lock(state_->mutex);
    state_->close(lock);
  }

  /// The input's current time.
  timestamp time() const {
    std::lock_guard lock(state_->mutex);
    return state_->time();
  }
  const std::string& name() const noexcept { return state_->name(); }

 private:
  std::size_t staged_size() const noexcept { return state_->staging() ? state_->staging()->size() : 0; }
  void stage(T record) {
    auto*& staging = state_->staging();
    if (staging == nullptr) staging = detail::acquire_batch<T>(state_->pool(), state_->time(), state_->batch_size());
    static_cast<detail::batch<T>*>(staging)->records.push_back(std::move(record));
  }

  std::shared_ptr<detail::input_state> state_;
  std::shared_ptr<void> closer_;  // the last copy closes the input
};

}  // namespace streamweave
