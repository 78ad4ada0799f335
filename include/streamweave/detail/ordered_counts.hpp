#pragma once
/// \file
/// `ordered_counts<T>`: signed counts per time, kept sorted by time, for totally ordered times.
/// `mutable_antichain` uses it for epoch times, where the frontier is the earliest time with a
/// positive count: an update costs O(log n) in the number n of distinct outstanding times, and
/// finding the frontier costs O(1) plus the entries with a non-positive count before it
/// (transient negatives, which the tracker only has between two propagations).
///
/// Entries whose count reaches zero are removed, and their nodes kept for reuse (up to
/// `spare_nodes`), so a count that keeps going 0 -> 1 -> 0 at the same few times (one epoch
/// in flight) allocates nothing in steady state.
/// Thread safety: none; one owner at a time.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace streamweave::detail {

template <class T>
class ordered_counts {
  using map_type = std::map<T, std::int64_t>;

 public:
  static constexpr std::size_t spare_nodes = 4;

  /// Adds `delta` to the count of `t` (removing it when it reaches zero).
  void update(const T& t, std::int64_t delta) {
    if (delta == 0) return;
    auto it = counts_.find(t);
    if (it == counts_.end()) {
      insert(t, delta);
      return;
    }
    it->second += delta;
    if (it->second == 0) recycle(it);
  }

  /// The earliest time with a positive count, if any.
  std::optional<T> first_positive() const {
    for (const auto& [t, c] : counts_)
      if (c > 0) return t;
    return std::nullopt;
  }

  /// Every non-zero count, sorted by time (linear; for checks and tests).
  std::vector<std::pair<T, std::int64_t>> to_vector() const { return {counts_.begin(), counts_.end()}; }

  /// The number of times with a non-zero count.
  std::size_t size() const noexcept { return counts_.size(); }
  /// The non-zero counts as (time, count) pairs, in time order.
  typename map_type::const_iterator begin() const noexcept { return counts_.begin(); }
  typename map_type::const_iterator end() const noexcept { return counts_.end(); }

 private:
  void insert(const T& t, std::int64_t delta) {
    if (spares_used_ == 0) {
      counts_.emplace(t, delta);
      return;
    }
    typename map_type::node_type node = std::move(spares_[--spares_used_]);
    node.key() = t;
    node.mapped() = delta;
    counts_.insert(std::move(node));
  }
  void recycle(typename map_type::iterator it) {
    if (spares_used_ == spare_nodes) {
      counts_.erase(it);
      return;
    }
    spares_[spares_used_++] = counts_.extract(it);
  }

  map_type counts_;
  std::array<typename map_type::node_type, spare_nodes> spares_;
  std::size_t spares_used_ = 0;
};

}  // namespace streamweave::detail
