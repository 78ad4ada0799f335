#pragma once
/// \file
/// Options, statistics and result records of windowed operators (window/windowed_stream.hpp).
#include <streamweave/detail/peak_counter.hpp>
#include <streamweave/progress/timestamp.hpp>
#include <streamweave/window/assigners.hpp>

#include <atomic>
#include <compare>
#include <cstdint>
#include <memory>

namespace streamweave {

/// Options of `keyed_stream::window`.
struct window_options {
  /// How long after its end a window still accepts records, in event-time units: window `w`
  /// fires when the input frontier passes `w.end - 1 + allowed_lateness`, and a record with
  /// batch time `b >= w.end + allowed_lateness` is late for `w`.
  timestamp allowed_lateness = 0;
};

/// One result of a windowed operator: the key, the window and the value computed over the
/// window's records of that key.
template <class Key, class V>
struct window_result {
  Key key;
  streamweave::window window;
  V value;
  friend bool operator==(const window_result&, const window_result&) = default;
  friend auto operator<=>(const window_result&, const window_result&) = default;
};

/// Counters of one windowed operator (all its instances together), shared by every copy.
/// Thread safety: any thread, any time; values read during a run are a snapshot.
class window_stats {
 public:
  window_stats() : c_(std::make_shared<counters>()) {}

  /// Records sent to the late stream so far.
  std::uint64_t late_records() const noexcept { return c_->late.load(std::memory_order_relaxed); }
  /// Windows emitted so far (one per key and window).
  std::uint64_t fired_windows() const noexcept { return c_->fired.load(std::memory_order_relaxed); }
  /// (key, window) state entries held now, and the most ever held at once.
  std::int64_t live_windows() const noexcept { return c_->live.load(std::memory_order_relaxed); }
  std::int64_t peak_live_windows() const noexcept { return c_->live_peak.load(std::memory_order_relaxed); }
  /// Records received but waiting for their batch time to complete, now and at most.
  std::int64_t buffered_records() const noexcept { return c_->buffered.load(std::memory_order_relaxed); }
  std::int64_t peak_buffered_records() const noexcept { return c_->buffered_peak.load(std::memory_order_relaxed); }

  // Operator side.
  void add_late(std::uint64_t n) noexcept { c_->late.fetch_add(n, std::memory_order_relaxed); }
  void add_fired(std::uint64_t n) noexcept { c_->fired.fetch_add(n, std::memory_order_relaxed); }
  void add_live(std::int64_t d) noexcept { detail::add_with_peak(c_->live, c_->live_peak, d); }
  void add_buffered(std::int64_t d) noexcept { detail::add_with_peak(c_->buffered, c_->buffered_peak, d); }

 private:
  struct counters {
    std::atomic<std::uint64_t> late{0};
    std::atomic<std::uint64_t> fired{0};
    std::atomic<std::int64_t> live{0};
    std::atomic<std::int64_t> live_peak{0};
    std::atomic<std::int64_t> buffered{0};
    std::atomic<std::int64_t> buffered_peak{0};
  };
  std::shared_ptr<counters> c_;
};

namespace detail {
/// The time window `w` fires at and its results are emitted at: `w.end - 1 + lateness`,
/// saturating at `max - 1` (the largest time a frontier can pass).
constexpr timestamp window_fire_time(const window& w, timestamp lateness) noexcept {
  constexpr timestamp cap = ~timestamp{0} - 1;
  const timestamp last = w.end - 1;  // 1 <= w.end <= max for every assigned window, so last <= cap
  return lateness >= cap - last ? cap : last + lateness;
}
}  // namespace detail

}  // namespace streamweave
