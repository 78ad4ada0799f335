#pragma once
/// \file
/// `output_handle<T>`: a sink that an outside thread pulls records from.
///
/// The sink moves records into a bounded buffer; while the buffer is full the sink stops
/// consuming, so back-pressure reaches the sources. The sink moves whole batches, so the buffer
/// may exceed `capacity` by up to one batch. `pop` returns records in the order the sink
/// received them, each with its time, and returns nothing once the stream is finished and the
/// buffer is drained. On a parallel stream the sink has one instance per partition; they share
/// the one buffer and its capacity, and every `pop` resumes each instance waiting for room.
///
/// Thread safety: all members may be called from any thread, concurrently.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/deadline.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/sinks/collection.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

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
  /// Guarded by mutex: one slot per parallel sink instance, set while that instance waits for
  /// room; `pop` resumes every waiting instance (they share the one buffer).
  std::vector<std::function<void()>> wake_sinks;
};
}  // namespace detail

template <class T>
class output_handle {
 public:
  explicit output_handle(std::shared_ptr<detail::output_state<T>> s) : state_(std::move(s)) {}

  /// The next record if one is buffered. If moving the record out throws, the exception
  /// propagates and the record stays in the buffer (records whose move may throw are copied
  /// out instead, as `std::move_if_noexcept` does).
  std::optional<timed<T>> try_pop() {
    std::unique_lock lock(state_->mutex);
    return take(lock);
  }
  /// Waits up to `timeout` for the next record; nothing on timeout or when the stream finished.
  /// `nanoseconds::max()` waits without a limit; zero or less does not wait.
  std::optional<timed<T>> pop(std::chrono::nanoseconds timeout) {
    const auto deadline = detail::deadline_after(timeout);
    std::unique_lock lock(state_->mutex);
    detail::wait_until(state_->readable, lock, deadline,
                       [&] { return !state_->items.empty() || state_->finished || state_->stopped; });
    return take(lock);
  }
  /// Waits for the next record; nothing when the stream finished, or the run stopped (failure
  /// or cancel), and the buffer is empty.
  std::optional<timed<T>> pop() { return pop(std::chrono::nanoseconds::max()); }
  /// True when the stream ended and every record was popped.
  bool finished() const {
    std::lock_guard lock(state_->mutex);
    return state_->finished && state_->items.empty();
  }

 private:
  /// Removes the front record only once the returned value holds it: the value is built in
  /// place in the caller's object (guaranteed elision) before the guard's destructor runs, and
  /// the guard does nothing when that construction threw.
  std::optional<timed<T>> take(std::unique_lock<std::mutex>&) {
    if (state_->items.empty()) return std::nullopt;
    struct pop_front_on_success {
      detail::output_state<T>& s;
      int exceptions = std::uncaught_exceptions();
      ~pop_front_on_success() {
        if (std::uncaught_exceptions() != exceptions) return;
        s.items.pop_front();
        for (auto& wake : s.wake_sinks)
          if (wake) std::exchange(wake, nullptr)();  // room again: resume every waiting instance
      }
    } guard{*state_};
    return std::optional<timed<T>>(std::in_place, std::move_if_noexcept(state_->items.front()));
  }
  std::shared_ptr<detail::output_state<T>> state_;
};

namespace detail {
template <class T>
class output_body final : public node_body {
 public:
  output_body(std::shared_ptr<output_state<T>> s, std::size_t instance, std::size_t instances)
      : state_(std::move(s)), instance_(instance) {
    // A run starts the handle afresh: an earlier `runtime::run` of the same graph may have
    // failed while building, after bodies for this sink had been made and destroyed.
    std::lock_guard lock(state_->mutex);
    state_->stopped = false;
    state_->finished = false;
    state_->wake_sinks.assign(std::max(instances, state_->wake_sinks.size()), nullptr);
  }
  ~output_body() override {
    std::lock_guard lock(state_->mutex);
    state_->wake_sinks[instance_] = nullptr;
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
      state_->wake_sinks[instance_] = act.waker();  // resumed by the next pop
      return false;
    }
    return act.has_input();
  }

 private:
  std::shared_ptr<output_state<T>> state_;
  std::size_t instance_;
};
}  // namespace detail

}  // namespace streamweave
