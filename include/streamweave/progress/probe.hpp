#pragma once
/// \file
/// `probe`: lets any thread ask whether a time is complete at a stream, and wait for it.
///
/// A time `t` is *complete* at stream `s` when no record at a time `<= t` can still appear on
/// `s` or is still waiting to be processed by an operator that consumes `s`. For a stream that
/// feeds a sink this means the sink has seen every record `<= t`. A probe starts "not complete"
/// for every time, and becomes `done()` when the stream can produce nothing more.
///
/// Thread safety: all members may be called from any thread.
/// Memory ordering: the runtime's progress tracker publishes the frontier (seq_cst store) after
/// applying the progress that justifies it; `is_complete` reads it with acquire, so work the
/// completed operators did is visible to the caller. A blocked waiter and the publisher meet in
/// a store-buffering handshake (waiter: increment `waiters`, then read `frontier`; publisher:
/// write `frontier`, then read `waiters`), which needs every one of those four accesses to be
/// seq_cst: with acquire/release alone both sides may read the old value, and the wake-up is
/// lost (allowed by the C++ model and on POWER and ARM, though not on x86).
#include <streamweave/progress/timestamp.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>

namespace streamweave {

namespace detail {

class probe_state {
 public:
  /// Frontier value: the earliest time that may still appear; max() when none can.
  std::atomic<timestamp> frontier{0};
  std::atomic<bool> aborted{false};  // the run stopped without completing
  std::atomic<int> waiters{0};
  std::mutex mutex;
  std::condition_variable changed;

  /// Called by the progress tracker (single writer) and on abort.
  void publish(timestamp f);
  void abort();
};

}  // namespace detail

class probe {
 public:
  explicit probe(std::shared_ptr<detail::probe_state> state) : state_(std::move(state)) {}

  /// True when every time `<= t` is complete at the stream. Once the stream is done, every
  /// time is complete, `max()` included.
  bool is_complete(timestamp t) const noexcept { return complete(state_->frontier.load(std::memory_order_acquire), t); }
  /// True when the stream can produce nothing more (every time is complete).
  bool done() const noexcept {
    return state_->frontier.load(std::memory_order_acquire) == std::numeric_limits<timestamp>::max();
  }
  /// The earliest time that may still appear (max() when done).
  timestamp frontier() const noexcept { return state_->frontier.load(std::memory_order_acquire); }

  /// Waits until `t` is complete or `timeout` passes (`nanoseconds::max()`: no limit; zero or
  /// less: no wait). Spins briefly before blocking, so a time that completes within
  /// microseconds is seen without a sleep/wake round trip. Returns false on timeout, or as soon
  /// as the run stops without completing `t` (failure or cancellation).
  bool wait_until_complete(timestamp t, std::chrono::nanoseconds timeout) const;
  /// Waits without a time limit; returns false only when the run stopped first.
  bool wait_until_complete(timestamp t) const { return wait_until_complete(t, std::chrono::nanoseconds::max()); }

 private:
  static constexpr bool complete(timestamp frontier, timestamp t) noexcept {
    return frontier > t || frontier == std::numeric_limits<timestamp>::max();
  }

  std::shared_ptr<detail::probe_state> state_;
};

}  // namespace streamweave
