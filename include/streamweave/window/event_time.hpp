#pragma once
/// \file
/// Event time at an input: `event_time_input<T>` wraps an `input_handle<T>` whose time (the
/// watermark) follows the event times of the records sent, with bounded out-of-orderness and
/// an idleness policy. Created by `add_event_time_input<T>(graph, name, event_time, options)`.
///
/// Watermark policy (docs/time-and-windows.md has examples):
///  - The input has `partitions` (e.g. one per upstream shard), each with its own watermark
///    `max event time sent on it - max_disorder` (0 before its first record).
///  - The input's time is the minimum over the *active* partitions' watermarks; an idle
///    partition does not hold it back, it follows the others. When every partition is idle,
///    the time advances to `max event time sent + 1` over all partitions: an idle source has
///    delivered everything it had, so no disorder allowance is needed any more.
///  - A partition becomes idle by `mark_idle(p)`, or when `idle_timeout` (if non-zero) has
///    passed on the steady clock since its last record (or since creation) - checked by
///    `send`, `mark_idle`, `advance_to` and `poll_idle` (not by `watermark`, `flush` or `close`;
///    there is no background thread). Sending on an idle partition makes it active again.
///  - Time never goes backwards: `advance_to(t)` raises it by hand; every change is passed to
///    `input_handle::advance_to`. Watermarks are clamped to `max_timestamp` (2^64 - 2): a
///    record with event time 2^64 - 1 is sent at 2^64 - 2.
/// A record is sent at the time current right after its own event time was accounted for, so a
/// record within the disorder bound has batch time <= its event time; a record more than
/// `max_disorder` behind (or sent after idleness moved time past it) gets a batch time after
/// its event time and may be late for its windows.
///
/// Thread safety: every member may be called from any thread; calls are serialised (a send
/// that blocks on back-pressure holds the others back). Copies share one input. Errors as
/// `input_handle` (send after close, ...), and `usage_error` for a partition out of range.
#include <streamweave/error.hpp>
#include <streamweave/graph/graph.hpp>
#include <streamweave/graph/input_handle.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace streamweave {

struct event_time_options {
  /// How far (in event-time units) a record may be behind the latest event time of its
  /// partition and still be on time.
  timestamp max_disorder = 0;
  /// The most partitions an input may have.
  static constexpr std::size_t max_partitions = std::size_t{1} << 20;
  /// Independent partitions of the input, each with its own watermark (1 to `max_partitions`).
  std::size_t partitions = 1;
  /// A partition that sends nothing for this long is idle; zero: only `mark_idle` makes it idle.
  std::chrono::steady_clock::duration idle_timeout{0};
};

template <class T, class EventTime>
class event_time_input {
 public:
  event_time_input(input_handle<T> handle, EventTime event_time, event_time_options options)
      : s_(std::make_shared<state>(std::move(handle), std::move(event_time), options)) {}

  /// Sends `record` on partition 0.
  void send(T record) { send(0, std::move(record)); }
  /// Sends `record` on `partition`, after updating the watermark with its event time.
  void send(std::size_t partition, T record) {
    std::lock_guard lock(s_->mutex);
    s_->account(partition, record);
    s_->handle.send(std::move(record));
  }
  /// Like `send`, but never blocks: returns false while the graph is back-pressured, and then
  /// leaves `record` as it was (moved from only when accepted), as `input_handle::try_send`. A
  /// refused record still counts for its partition's watermark and activity, as if sent: offer
  /// it again (`try_send` or `send`) rather than dropping it, and it is still on time within the
  /// disorder bound.
  bool try_send(std::size_t partition, T&& record) {
    std::lock_guard lock(s_->mutex);
    s_->account(partition, record, false);  // moves the time without waiting for space
    return s_->handle.try_send(std::move(record));
  }
  /// Declares `partition` idle until its next record.
  void mark_idle(std::size_t partition = 0) {
    std::lock_guard lock(s_->mutex);
    s_->at(partition).idle = true;
    s_->update();
  }
  /// Makes `partition` hold time back again (as if it had just sent, without a record): it
  /// counts as active from now until its idle timeout, and its watermark is what it was (0
  /// before its first record). Time never goes back: an input already past that watermark
  /// stops advancing until the partition sends. For a shard that was just (re)assigned.
  void mark_active(std::size_t partition) {
    std::lock_guard lock(s_->mutex);
    part& p = s_->at(partition);
    p.idle = false;
    p.last = std::chrono::steady_clock::now();
    s_->update(p.last);
  }
  /// `input_handle::try_flush`: hands over staged records and moves batches waiting for
  /// queue space, never waiting; false while some still wait. A sender using only `try_send`
  /// calls it again until true.
  bool try_flush() {
    std::lock_guard lock(s_->mutex);
    return s_->handle.try_flush();
  }
  /// Applies `idle_timeout` now (every other call does so too).
  void poll_idle() {
    std::lock_guard lock(s_->mutex);
    s_->update();
  }
  /// Raises the input's time to at least `t` by hand (never lowers it). Throws `usage_error`
  /// when `t > max_timestamp`.
  void advance_to(timestamp t) {
    std::lock_guard lock(s_->mutex);
    if (t > max_timestamp)
      throw usage_error("event-time input '" + s_->handle.name() + "': advance_to(" + std::to_string(t) +
                        ") is beyond the largest time, max_timestamp = 2^64 - 2; call close() to end the input");
    s_->floor = std::max(s_->floor, t);
    s_->update();
  }
  /// The input's current time (its watermark).
  timestamp watermark() const {
    std::lock_guard lock(s_->mutex);
    return s_->handle.time();
  }
  void flush() { s_->handle.flush(); }
  /// Ends the input (as `input_handle::close`).
  void close() {
    std::lock_guard lock(s_->mutex);
    s_->handle.close();
  }

 private:
  struct part {
    bool any = false;
    bool idle = false;
    timestamp seen = 0;
    std::chrono::steady_clock::time_point last;
  };
  struct state {
    state(input_handle<T> h, EventTime et, const event_time_options& o)
        : handle(std::move(h)), event_time(std::move(et)), options(o), parts(checked_partitions(o, handle.name())) {
      for (auto& p : parts) p.last = std::chrono::steady_clock::now();
    }
    static std::size_t checked_partitions(const event_time_options& o, const std::string& name) {
      if (o.partitions == 0) throw usage_error("event-time input '" + name + "': needs at least one partition");
      if (o.partitions > event_time_options::max_partitions)
        throw usage_error("event-time input '" + name + "': " + std::to_string(o.partitions) +
                          " partitions are too many (at most " + std::to_string(event_time_options::max_partitions) + ")");
      return o.partitions;
    }
    part& at(std::size_t i) {
      if (i >= parts.size())
        throw usage_error("event-time input '" + handle.name() + "': partition " + std::to_string(i) + " out of range (" +
                          std::to_string(parts.size()) + " partitions)");
      return parts[i];
    }
    /// Counts `record`'s event time on `partition` (active again) and moves the time.
    void account(std::size_t partition, const T& record, bool wait = true) {
      part& p = at(partition);
      const auto e = static_cast<timestamp>(event_time(record));
      p.seen = p.any ? std::max(p.seen, e) : e;
      p.any = true;
      p.idle = false;
      const auto now = std::chrono::steady_clock::now();
      p.last = now;
      update(now, wait);
    }
    /// Applies the idle timeout, then moves the handle's time to the policy's watermark,
    /// waiting for queue space unless `wait` is false.
    void update(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now(), bool wait = true) {
      bool any_active = false;
      timestamp active_min = ~timestamp{0};
      timestamp all_idle = 0;
      for (part& p : parts) {
        if (options.idle_timeout.count() > 0 && !p.idle && now - p.last >= options.idle_timeout) p.idle = true;
        if (p.any) all_idle = std::max(all_idle, std::min(p.seen, max_timestamp - 1) + 1);
        if (p.idle) continue;
        any_active = true;
        const timestamp wm = p.any && p.seen > options.max_disorder ? p.seen - options.max_disorder : 0;
        active_min = std::min(active_min, wm);
      }
      // Watermarks stop at max_timestamp: 2^64 - 1 is the empty frontier, never a time.
      const timestamp target = std::min(std::max(floor, any_active ? active_min : all_idle), max_timestamp);
      if (target <= handle.time()) return;
      if (wait)
        handle.advance_to(target);
      else
        (void)handle.try_advance_to(target);
    }
    std::mutex mutex;
    input_handle<T> handle;
    EventTime event_time;
    event_time_options options;
    std::vector<part> parts;
    timestamp floor = 0;  // from advance_to
  };
  std::shared_ptr<state> s_;
};

/// A graph input with event-time watermarks (see `event_time_input`), and its stream.
template <class T, class EventTime>
std::pair<event_time_input<T, EventTime>, stream<T>> add_event_time_input(graph& g, std::string name, EventTime event_time,
                                                                          event_time_options options = {}) {
  auto [handle, s] = g.input<T>(std::move(name));
  return {event_time_input<T, EventTime>(std::move(handle), std::move(event_time), options), s};
}

}  // namespace streamweave
