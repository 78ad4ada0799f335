#pragma once
/// \file
/// `change_batch<K>`: a lazily consolidated list of `(key, signed delta)` updates.
///
/// Updates are appended and consolidated (sorted by `K`'s total order, equal keys summed,
/// zeros dropped) when the list has grown to twice its last consolidated size, so a long run of
/// `+1/-1` pairs stays small. Reading (`compact()`, `drain_into`, `empty()`) consolidates first.
/// Thread safety: none; one owner at a time.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace streamweave {

template <class K>
class change_batch {
 public:
  using value_type = std::pair<K, std::int64_t>;

  /// Adds `delta` to the count of `key`. Amortised O(log n).
  void update(const K& key, std::int64_t delta) {
    if (delta == 0) return;
    updates_.emplace_back(key, delta);
    if (updates_.size() > 32 && updates_.size() >= 2 * clean_) compact();
  }

  template <class It>
  void extend(It first, It last) {
    for (; first != last; ++first) update(first->first, first->second);
  }

  /// Consolidates in place: sorted by key, one entry per key, no zero entries.
  void compact() {
    if (clean_ == updates_.size()) return;
    std::sort(updates_.begin(), updates_.end(),
              [](const value_type& a, const value_type& b) { return a.first < b.first; });
    std::size_t out = 0;
    for (std::size_t i = 0; i < updates_.size();) {
      K key = updates_[i].first;
      std::int64_t sum = 0;
      for (; i < updates_.size() && !(key < updates_[i].first); ++i) sum += updates_[i].second;
      if (sum != 0) updates_[out++] = value_type{key, sum};
    }
    updates_.resize(out);
    clean_ = out;
  }

  /// True when every key's accumulated delta is zero.
  bool empty() {
    compact();
    return updates_.empty();
  }

  /// The consolidated updates, valid until the next mutation.
  const std::vector<value_type>& view() {
    compact();
    return updates_;
  }

  /// Moves the consolidated updates to the end of `out` and clears this batch, keeping its
  /// capacity (no allocation in steady state).
  void drain_into(std::vector<value_type>& out) {
    compact();
    out.insert(out.end(), updates_.begin(), updates_.end());
    clear();
  }

  void clear() noexcept {
    updates_.clear();
    clean_ = 0;
  }

  /// Number of stored entries, consolidated or not (for tests of the compaction bound).
  std::size_t stored_entries() const noexcept { return updates_.size(); }

 private:
  std::vector<value_type> updates_;
  std::size_t clean_ = 0;  // prefix length known to be consolidated
};

}  // namespace streamweave
