#pragma once
/// \file
/// `keyed_state_stats`: live-state counters that keyed operators and joins update, so that
/// tests and monitoring can check that state is released (e.g. drops to 0 once the input
/// frontier passes a time, stays bounded over many epochs).
///
/// What is counted (summed over the operator's parallel instances):
///  - `timestamps()`: timestamps for which an instance holds state (per-timestamp keyed
///    aggregation: one per instance and pending timestamp; `join_table`: one per instance and
///    timestamp of buffered records or updates). Joins that keep no per-timestamp state count 0.
///  - `entries()`: state entries: per-key accumulators, records kept by a join, table rows and
///    buffered records, as each operator documents.
///  - `late()`: records an `interval_join` received with an event time before their batch time.
///  - `peak_timestamps()`, `peak_entries()`: the largest values the two live counters reached.
///
/// Thread safety: all members may be called from any thread at any time; the counters are
/// relaxed atomics. A value read after `execution::wait()` returned, or after a probe
/// downstream of the operator reported a time complete, includes every update the operator
/// made before releasing that time. After a successful `wait()` every keyed operator has
/// released its state, so `timestamps()` and `entries()` are 0. After a failed or cancelled
/// run the instances keep their state until the `execution` is destroyed; each instance then
/// takes its remaining counts back, so the counters are 0 once the `execution` is gone.
///
/// A default-constructed `keyed_state_stats` owns fresh counters; copies share them. Pass
/// `keyed_state_stats::none()` (the default argument of every operator) to count nothing.
#include <streamweave/detail/peak_counter.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace streamweave {

class keyed_state_stats {
 public:
  keyed_state_stats() : counters_(std::make_shared<counters>()) {}
  /// A handle that counts nothing (all readers return 0).
  static keyed_state_stats none() { return keyed_state_stats(nullptr); }
  bool enabled() const noexcept { return counters_ != nullptr; }

  std::int64_t timestamps() const noexcept { return read(&counters::timestamps); }
  std::int64_t entries() const noexcept { return read(&counters::entries); }
  std::int64_t late() const noexcept { return read(&counters::late); }
  std::int64_t peak_timestamps() const noexcept { return read(&counters::peak_timestamps); }
  std::int64_t peak_entries() const noexcept { return read(&counters::peak_entries); }

  // Operator use (see detail::state_gauge).
  void add_timestamps(std::int64_t d) const noexcept { add(&counters::timestamps, &counters::peak_timestamps, d); }
  void add_entries(std::int64_t d) const noexcept { add(&counters::entries, &counters::peak_entries, d); }
  void add_late(std::int64_t d) const noexcept {
    if (counters_) counters_->late.fetch_add(d, std::memory_order_relaxed);
  }

 private:
  struct counters {
    std::atomic<std::int64_t> timestamps{0};
    std::atomic<std::int64_t> entries{0};
    std::atomic<std::int64_t> late{0};
    std::atomic<std::int64_t> peak_timestamps{0};
    std::atomic<std::int64_t> peak_entries{0};
  };
  explicit keyed_state_stats(std::nullptr_t) {}

  std::int64_t read(std::atomic<std::int64_t> counters::*c) const noexcept {
    return counters_ ? (counters_.get()->*c).load(std::memory_order_relaxed) : 0;
  }
  void add(std::atomic<std::int64_t> counters::*c, std::atomic<std::int64_t> counters::*peak, std::int64_t d) const noexcept {
    if (!counters_ || d == 0) return;
    detail::add_with_peak(counters_.get()->*c, counters_.get()->*peak, d);
  }

  std::shared_ptr<counters> counters_;
};

namespace detail {

/// One operator instance's share of a `keyed_state_stats`: forwards changes and remembers
/// what this instance added, so its destructor can take it back. Movable (the moved-from
/// gauge holds nothing).
class state_gauge {
 public:
  explicit state_gauge(keyed_state_stats stats) : stats_(std::move(stats)) {}
  state_gauge(state_gauge&& o) noexcept
      : stats_(std::move(o.stats_)), timestamps_(std::exchange(o.timestamps_, 0)), entries_(std::exchange(o.entries_, 0)) {}
  state_gauge& operator=(state_gauge&&) = delete;
  state_gauge(const state_gauge& o) : stats_(o.stats_) {}  // a copy starts with nothing
  state_gauge& operator=(const state_gauge&) = delete;
  ~state_gauge() {
    stats_.add_timestamps(-timestamps_);
    stats_.add_entries(-entries_);
  }

  void timestamps(std::int64_t d) noexcept {
    timestamps_ += d;
    stats_.add_timestamps(d);
  }
  void entries(std::int64_t d) noexcept {
    entries_ += d;
    stats_.add_entries(d);
  }
  void late() noexcept { stats_.add_late(1); }

 private:
  keyed_state_stats stats_;
  std::int64_t timestamps_ = 0;
  std::int64_t entries_ = 0;
};

}  // namespace detail

}  // namespace streamweave
