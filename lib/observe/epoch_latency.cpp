#include "observe/epoch_latency.hpp"

#include <algorithm>
#include <limits>

namespace streamweave::internal {

namespace {
constexpr timestamp empty_frontier = std::numeric_limits<timestamp>::max();

timestamp smallest(const std::vector<timestamp>& times) {
  return times.empty() ? empty_frontier : *std::min_element(times.begin(), times.end());
}
}  // namespace

void epoch_latency::start(std::size_t inputs, std::size_t probes) {
  std::lock_guard lock(mutex_);
  input_times_.assign(inputs, 0);
  closed_below_ = smallest(input_times_);
  probes_.assign(probes, probe_cursor{});
}

void epoch_latency::set_initial_time(std::size_t k, timestamp t) {
  std::lock_guard lock(mutex_);
  if (k >= input_times_.size()) return;
  input_times_[k] = t;
  closed_below_ = std::max(closed_below_, smallest(input_times_));
}

void epoch_latency::on_input_time(std::size_t k, timestamp t, std::int64_t now_ns) {
  std::lock_guard lock(mutex_);
  if (k >= input_times_.size()) return;
  input_times_[k] = t;
  const timestamp closed = smallest(input_times_);
  if (closed <= closed_below_) return;  // another input still holds the smallest time back
  closed_below_ = closed;
  if (probes_.empty()) return;  // nobody measures: keep no events
  if (events_.size() == max_waiting_events) {  // a probe that never moves: the oldest goes unmeasured
    events_.pop_front();
    ++first_seq_;
  }
  events_.push_back({closed, now_ns});
}

bool epoch_latency::on_probe_frontier(std::size_t p, timestamp f, std::int64_t now_ns) {
  std::lock_guard lock(mutex_);
  if (p >= probes_.size()) return false;
  probe_cursor& c = probes_[p];
  if (f <= c.frontier) return false;
  c.frontier = f;
  c.next = std::max(c.next, first_seq_);  // events dropped unmeasured
  const std::uint64_t end = first_seq_ + events_.size();
  for (; c.next < end; ++c.next) {
    const close_event& e = events_[static_cast<std::size_t>(c.next - first_seq_)];
    if (e.closed_below > f) break;  // some time it closed is not complete at this probe yet
    c.samples.record(static_cast<std::uint64_t>(now_ns > e.at_ns ? now_ns - e.at_ns : 0));
  }
  trim();
  return true;
}

void epoch_latency::trim() {
  std::uint64_t passed_by_all = first_seq_ + events_.size();
  for (const probe_cursor& c : probes_) passed_by_all = std::min(passed_by_all, c.next);
  while (first_seq_ < passed_by_all) {
    events_.pop_front();
    ++first_seq_;
  }
}

latency_histogram epoch_latency::histogram(std::size_t p) const {
  std::lock_guard lock(mutex_);
  return p < probes_.size() ? probes_[p].samples : latency_histogram{};
}

}  // namespace streamweave::internal
