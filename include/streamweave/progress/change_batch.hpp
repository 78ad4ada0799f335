#pragma once
/// \file
/// `change_batch<K>`: a lazily consolidated list of `(key, signed delta)` updates.
///
/// Updates are appended and consolidated (sorted by `K`'s total order, equal keys summed,
/// zeros dropped) when the list has grown to twice its last consolidated size, so a long run of
/// `+1/-1` pairs stays small. Consolidation sorts only the new updates and merges them into
/// the consolidated prefix. Reading (`compact()`, `drain_into`, `empty()`) consolidates first.
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

  /// Consolidates: sorted by key, one entry per key, no zero entries. Only the updates added
  /// since the last consolidation are sorted; they are then merged with the consolidated
  /// prefix, so the cost is O(k log k + n) for k new updates over n consolidated keys, not a
  /// full sort (a frontier rebuild over many outstanding times adds a few updates to a long
  /// consolidated list).
  void compact() {
    if (clean_ == updates_.size()) return;
    const auto by_key = [](const value_type& a, const value_type& b) { return a.first < b.first; };
    std::sort(updates_.begin() + static_cast<std::ptrdiff_t>(clean_), updates_.end(), by_key);
    const std::size_t tail_end = consolidate_sorted(clean_, updates_.size());
    updates_.resize(tail_end);
    if (clean_ != 0 && tail_end != clean_ && !(updates_[clean_ - 1].first < updates_[clean_].first))
      merge_tail();  // otherwise the tail already sorts after the prefix
    clean_ = updates_.size();
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
  /// Sums runs of equal keys in the sorted range [first, last) in place, dropping zero sums.
  /// Returns the end of the consolidated range.
  std::size_t consolidate_sorted(std::size_t first, std::size_t last) {
    std::size_t out = first;
    for (std::size_t i = first; i < last;) {
      K key = updates_[i].first;
      std::int64_t sum = 0;
      for (; i < last && !(key < updates_[i].first); ++i) sum += updates_[i].second;
      if (sum != 0) updates_[out++] = value_type{std::move(key), sum};
    }
    return out;
  }

  /// Merges the consolidated prefix [0, clean_) with the consolidated tail [clean_, size),
  /// summing keys found in both and dropping zero sums. Uses `merged_` (capacity kept) as the
  /// output, so steady state allocates nothing.
  void merge_tail() {
    merged_.clear();
    merged_.reserve(updates_.size());
    std::size_t i = 0, j = clean_;
    const std::size_t end = updates_.size();
    while (i < clean_ && j < end) {
      if (updates_[i].first < updates_[j].first) {
        merged_.push_back(std::move(updates_[i++]));
      } else if (updates_[j].first < updates_[i].first) {
        merged_.push_back(std::move(updates_[j++]));
      } else {
        const std::int64_t sum = updates_[i].second + updates_[j].second;
        if (sum != 0) merged_.emplace_back(std::move(updates_[i].first), sum);
        ++i;
        ++j;
      }
    }
    for (; i < clean_; ++i) merged_.push_back(std::move(updates_[i]));
    for (; j < end; ++j) merged_.push_back(std::move(updates_[j]));
    updates_.swap(merged_);
  }

  std::vector<value_type> updates_;
  std::vector<value_type> merged_;  // merge_tail's output buffer, swapped with updates_
  std::size_t clean_ = 0;  // prefix length known to be consolidated
};

}  // namespace streamweave
