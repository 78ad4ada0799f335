#include "progress/capability_ledger.hpp"

#include <algorithm>

namespace streamweave::internal {

void capability_ledger::apply(const std::vector<detail::progress_update>& updates,
                              const std::vector<std::uint8_t>& is_output) {
  auto first = std::find_if(updates.begin(), updates.end(), [&](const detail::progress_update& u) {
    return u.delta != 0 && is_output[u.location] != 0;
  });
  if (first == updates.end()) return;  // batches in flight only: the common case, no lock
  std::lock_guard lock(mutex_);
  for (auto it = first; it != updates.end(); ++it) {
    if (it->delta == 0 || is_output[it->location] == 0) continue;
    auto at = std::find_if(locations_.begin(), locations_.end(),
                           [&](const location_counts& c) { return c.location == it->location; });
    if (at == locations_.end()) {
      locations_.push_back(location_counts{it->location, 0, {}});
      at = std::prev(locations_.end());
    }
    at->total += it->delta;
    at->by_time.update(it->time, it->delta);
  }
}

void capability_ledger::read(progress::location_id location, output_port_metrics& port) const {
  std::lock_guard lock(mutex_);
  for (const location_counts& c : locations_) {
    if (c.location != location) continue;
    port.capabilities = c.total;
    port.times = c.by_time.size();
    for (const auto& [t, count] : c.by_time) {
      if (port.held.size() == output_port_metrics::held_limit) break;
      port.held.push_back(held_capability{t, count});
    }
    if (!port.held.empty()) port.earliest = port.held.front().time;
    return;
  }
}

}  // namespace streamweave::internal
