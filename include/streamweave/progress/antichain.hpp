#pragma once
/// \file
/// `antichain<T>`: a set of mutually incomparable times (a frontier), and
/// `mutable_antichain<T>`: a multiset of times with counts whose frontier is the set of minimal
/// times with a *positive* count. Updating the counts reports the discrete frontier changes,
/// so count churn above the frontier produces no work downstream.
/// Thread safety: none; one owner at a time.
#include <streamweave/detail/ordered_counts.hpp>
#include <streamweave/progress/change_batch.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamweave {

template <class T>
class antichain {
 public:
  using traits = timestamp_traits<T>;

  antichain() = default;
  explicit antichain(T t) { elements_.push_back(std::move(t)); }

  /// Inserts `t` unless an element `<= t` exists; removes elements `>= t`. Returns whether
  /// `t` was inserted.
  bool insert(const T& t) {
    for (const T& e : elements_)
      if (traits::less_equal(e, t)) return false;
    std::erase_if(elements_, [&](const T& e) { return traits::less_equal(t, e); });
    elements_.push_back(t);
    return true;
  }

  /// True when some element is `<= t`: a time `t` may still appear.
  bool less_equal(const T& t) const {
    return std::any_of(elements_.begin(), elements_.end(), [&](const T& e) { return traits::less_equal(e, t); });
  }
  /// True when some element is `< t` (strictly).
  bool less_than(const T& t) const {
    return std::any_of(elements_.begin(), elements_.end(),
                       [&](const T& e) { return traits::less_equal(e, t) && !(e == t); });
  }

  bool empty() const noexcept { return elements_.empty(); }
  std::size_t size() const noexcept { return elements_.size(); }
  const std::vector<T>& elements() const noexcept { return elements_; }
  auto begin() const noexcept { return elements_.begin(); }
  auto end() const noexcept { return elements_.end(); }
  void clear() noexcept { elements_.clear(); }

  /// Set equality (element order is not significant).
  friend bool operator==(const antichain& a, const antichain& b) {
    if (a.size() != b.size()) return false;
    return std::all_of(a.begin(), a.end(), [&](const T& x) { return std::find(b.begin(), b.end(), x) != b.end(); });
  }

 private:
  std::vector<T> elements_;
};

template <class T>
class mutable_antichain {
 public:
  using traits = timestamp_traits<T>;
  using change = std::pair<T, std::int64_t>;

  /// True when `T` is totally ordered (`totally_ordered_time<T>()`): the counts are an ordered
  /// map and the frontier its earliest positive time; otherwise a change batch from which the
  /// minimal set is rebuilt when an update may change it.
  static constexpr bool totally_ordered = totally_ordered_time<T>();

  /// Applies count updates and appends the resulting frontier changes (`-1` for a time that
  /// left the frontier, `+1` for one that joined) to `changes`. Counts may go transiently
  /// negative; only positive counts define the frontier.
  template <class Range>
  void update(const Range& updates, std::vector<change>& changes) {
    if constexpr (totally_ordered) {
      update_total(updates, changes);
    } else {
      update_partial(updates, changes);
    }
  }

  void update_one(const T& t, std::int64_t d, std::vector<change>& changes) {
    const change one[1] = {change{t, d}};
    update(one, changes);
  }

  const std::vector<T>& frontier() const noexcept { return frontier_; }
  bool frontier_empty() const noexcept { return frontier_.empty(); }
  /// The non-zero counts (including transient negatives), sorted by time.
  std::vector<change> counts() {
    if constexpr (totally_ordered) {
      apply_buffered();
      return counts_.to_vector();
    } else {
      return counts_.view();
    }
  }

 private:
  // Totally ordered times: the frontier is the earliest time with a positive count, kept in
  // an ordered map (O(log n) per update over n outstanding times); updates after the
  // frontier's time wait in a change batch, where churn cancels, until the frontier may move.
  // Partially ordered times (products) keep a change_batch and rebuild the minimal set from it.

  template <class Range>
  void update_total(const Range& updates, std::vector<change>& changes) {
    bool may_move = false;
    for (const auto& [t, d] : updates) {
      if (d == 0) continue;
      if (!frontier_.empty() && frontier_.front() < t) {
        // After the frontier's time, which keeps its positive count: cannot move the frontier.
        // Buffered, where a +1 and its -1 cancel before they reach the ordered counts.
        above_.update(t, d);
      } else {
        counts_.update(t, d);
        may_move = true;
      }
    }
    if (!may_move) return;
    apply_buffered();
    const std::optional<T> first = counts_.first_positive();
    const std::optional<T> old = frontier_.empty() ? std::nullopt : std::optional<T>(frontier_.front());
    if (first == old) return;
    // Appended in time order, as a consolidated change batch would list them.
    if (old && (!first || *old < *first)) changes.emplace_back(*old, -1);
    if (first) changes.emplace_back(*first, +1);
    if (old && first && *first < *old) changes.emplace_back(*old, -1);
    frontier_.clear();
    if (first) frontier_.push_back(*first);
  }

  void apply_buffered() {
    if constexpr (totally_ordered) {
      for (const auto& [t, d] : above_.view()) counts_.update(t, d);
      above_.clear();
    }
  }

  template <class Range>
  void update_partial(const Range& updates, std::vector<change>& changes) {
    bool rebuild = false;
    for (const auto& [t, d] : updates) {
      if (d == 0) continue;
      counts_.update(t, d);
      if (rebuild) continue;
      // A change strictly above some frontier element cannot alter the minimal set; a
      // decrement at a time outside the frontier's upward closure cannot either.
      const bool above = std::any_of(frontier_.begin(), frontier_.end(),
                                     [&](const T& f) { return traits::less_equal(f, t) && !(f == t); });
      if (above) continue;
      if (d < 0 && !std::any_of(frontier_.begin(), frontier_.end(), [&](const T& f) { return traits::less_equal(f, t); }))
        continue;
      rebuild = true;
    }
    if (rebuild) rebuild_frontier(changes);
  }

  void rebuild_frontier(std::vector<change>& changes) {
    scratch_.clear();
    for (const T& f : frontier_) scratch_.update(f, -1);
    frontier_.clear();
    for (const auto& [t, c] : counts_.view()) {  // sorted by the total order
      if (c <= 0) continue;
      const bool dominated =
          std::any_of(frontier_.begin(), frontier_.end(), [&](const T& f) { return traits::less_equal(f, t); });
      if (!dominated) frontier_.push_back(t);
    }
    for (const T& f : frontier_) scratch_.update(f, +1);
    scratch_.drain_into(changes);
  }

  std::conditional_t<totally_ordered, detail::ordered_counts<T>, change_batch<T>> counts_;
  std::vector<T> frontier_;
  change_batch<T> scratch_;  // partially ordered times only: the frontier's changes during a rebuild
  change_batch<T> above_;    // totally ordered times only: updates after the frontier's time, not yet in counts_
};

}  // namespace streamweave
