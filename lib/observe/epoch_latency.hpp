#pragma once
/// \file
/// `epoch_latency`: per probe, the time from the moment the run's input handles closed a time
/// to the moment the probe saw it complete (docs/observability.md, "Epoch latency").
///
/// The input handles together close every time below the smallest of their times (a closed
/// handle counts as the empty frontier). Each rise of that smallest time, by an `advance_to` or
/// a `close`, is one *close event*, stamped before the handle publishes its progress. A probe
/// whose frontier reaches an event's time has seen every time the event closed complete: the
/// gap is one sample of its histogram. Events wait in a queue until every probe has passed them
/// (at most `max_waiting_events`).
///
/// Thread safety: every member takes the mutex, so any thread may call any member. Callers:
/// input senders (`on_input_time`, holding their input's lock), the tracker owner
/// (`on_probe_frontier`, called before the probe's new frontier is published, so a waiter that
/// sees it complete also sees its sample), and `execution::metrics` (`histogram`).
#include <streamweave/observe/latency_histogram.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace streamweave::internal {

class epoch_latency {
 public:
  /// Close events that wait for a slow probe at most; beyond it the oldest is dropped and never
  /// measured (a probe whose frontier never moves would otherwise keep every event).
  static constexpr std::size_t max_waiting_events = 65536;

  /// Sizes the log for a run with `inputs` input handles and `probes` probes.
  void start(std::size_t inputs, std::size_t probes);
  /// Input `k`'s time when the run binds it (the empty frontier when it is closed already):
  /// no close event.
  void set_initial_time(std::size_t k, timestamp t);
  /// Input `k` moves to time `t` (the empty frontier when it closes), at steady time `now_ns`.
  void on_input_time(std::size_t k, timestamp t, std::int64_t now_ns);
  /// Probe `p`'s frontier is `f` at steady time `now_ns`. True when it moved (the fan-out also
  /// reports frontiers that did not change).
  bool on_probe_frontier(std::size_t p, timestamp f, std::int64_t now_ns);
  /// A copy of probe `p`'s histogram.
  latency_histogram histogram(std::size_t p) const;

 private:
  struct close_event {
    timestamp closed_below;  // every time below it is closed
    std::int64_t at_ns;
  };
  struct probe_cursor {
    std::uint64_t next = 0;  // sequence number of the first event this probe has not passed
    timestamp frontier = 0;
    latency_histogram samples;
  };
  /// Drops the events every probe has passed.
  void trim();

  mutable std::mutex mutex_;
  std::vector<timestamp> input_times_;
  timestamp closed_below_ = 0;
  std::deque<close_event> events_;
  std::uint64_t first_seq_ = 0;  // sequence number of events_.front()
  std::vector<probe_cursor> probes_;
};

}  // namespace streamweave::internal
