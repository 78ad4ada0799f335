#pragma once
/// \file
/// `output_handle<T>`: a sink that an outside thread pulls records from.
///
/// The sink moves records into a bounded buffer; while the buffer is full the sink stops
/// consuming, so back-pressure reaches the sources. The sink moves whole batches, so the buffer
/// may exceed `capacity` by up to one batch. `pop` returns records in the order the sink
/// received them, each with its time, and returns nothing once the stream is finished and the
/// buffer is drained.
///
/// Thread safety: all members may be called from any thread, concurrently.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/sinks/collection.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace streamweave {

namespace detail {
template <class T>
struct output_state {
  explicit output_state(std::size_t cap) : capacity(cap) {}
  std::mutex mutex;
  std::condition_variable readable;
  std::deque<timed<T>> items;      // guarded by mutex
  std::size_t capacity;            // records
  bool finished = false;           // guarded by mutex: the stream ended
  bool stopped = false;            // guarded by mutex: the run stopped early
  std::function<void()> wake_sink; // guarded by mutex: set while the sink waits for room
};
}  // namespace detail

template <class T>
class output_handle {
 public:
  explicit output_handle(std::shared_ptr<detail::output_state<T>> s) : state_(std::move(s)) {}

  /// The next record if one is buffered.
  std::optional<timed<T>> try_pop() {
    std::unique_lock lock(state_->mutex);
    return take(lock);
  }
  /// Waits up to `timeout` for the next record; nothing on timeout or when the stream finished.
  std::optional<timed<T>> pop(std::chrono::nanoseconds timeout) {
    std::unique_lock lock(state_->mutex);
    state_->readable.wait_for(lock, timeout, [&] { return !state_->items.empty() || state_->finished || state_->stopped; });
    return take(lock);
  }
  /// Waits for the next record; nothing when the stream finished, or the run stopped (failure
  /// or cancel), and the buffer is empty.
  std::optional<timed<T>> pop() { return pop(std::chrono::hours(24 * 365)); }
  /// True when the stream ended and every record was popped.
  bool finished() const {
    std::lock_guard lock(state_->mutex);
    return state_->finished && state_->items.empty();
  }

 private:
  std::optional<timed<T>> take(std::unique_lock<std::mutex>&) {
    if (state_->items.empty()) return std::nullopt;
    timed<T> out = std::move(state_->items.front());
    state_->items.pop_front();
    if (state_->wake_sink) std::exchange(state_->wake_sink, nullptr)();
    return out;
  }
  std::shared_ptr<detail::output_state<T>> state_;
};

namespace detail {
template <class T>
class output_body final : public node_body {
 public:
  explicit output_body(std::shared_ptr<output_state<T>> s) : state_(std::move(s)) {}
  ~output_body() override {
    std::lock_guard lock(state_->mutex);
    state_->wake_sink = nullptr;
    if (!state_->finished) state_->stopped = true;
    state_->readable.notify_all();
  }
  void on_run_stopped() noexcept override {
    std::lock_guard lock(state_->mutex);
    state_->stopped = true;
    state_->readable.notify_all();
  }
  bool activate(activation& act) override {
    std::lock_guard lock(state_->mutex);
    bool took = false;
    while (state_->items.size() < state_->capacity) {
      const batch_base* b = act.pop(0);
      if (b == nullptr) break;
      for (const T& r : static_cast<const batch<T>&>(*b).records) state_->items.push_back({b->time, r});
      took = true;
    }
    if (took) state_->readable.notify_all();
    if (act.input_frontier(0) == empty_frontier && !act.has_input()) {
      state_->finished = true;
      state_->readable.notify_all();
    }
    if (state_->items.size() >= state_->capacity && act.has_input()) {
      state_->wake_sink = act.waker();  // resumed by the next pop
      return false;
    }
    return act.has_input();
  }

 private:
  std::shared_ptr<output_state<T>> state_;
};
}  // namespace detail

}  // namespace streamweave
