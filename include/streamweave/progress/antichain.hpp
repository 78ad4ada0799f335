#pragma once
/// \file
/// `antichain<T>`: a set of mutually incomparable times (a frontier), and
/// `mutable_antichain<T>`: a multiset of times with counts whose frontier is the set of minimal
/// times with a *positive* count. Updating the counts reports the discrete frontier changes,
/// so count churn above the frontier produces no work downstream.
/// Thread safety: none; one owner at a time.
#include <streamweave/progress/change_batch.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <algorithm>
#include <cstdint>
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

  /// Applies count updates and appends the resulting frontier changes (`-1` for a time that
  /// left the frontier, `+1` for one that joined) to `changes`. Counts may go transiently
  /// negative; only positive counts define the frontier.
  template <class Range>
  void update(const Range& updates, std::vector<change>& changes) {
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

  void update_one(const T& t, std::int64_t d, std::vector<change>& changes) {
    const change one[1] = {change{t, d}};
    update(one, changes);
  }

  const std::vector<T>& frontier() const noexcept { return frontier_; }
  bool frontier_empty() const noexcept { return frontier_.empty(); }
  /// The consolidated counts (including transient negatives).
  const auto& counts() { return counts_.view(); }

 private:
  void rebuild_frontier(std::vector<change>& changes) {
    scratch_.clear();
    for (const T& f : frontier_) scratch_.update(f, -1);
    frontier_.clear();
    for (const auto& [t, c] : counts_.view()) {  // sorted by the total order
      if (c <= 0) continue;
      // Under a total order (epoch times) the first positive count is the whole frontier:
      // stop there instead of scanning every outstanding time above it.
      if constexpr (std::is_integral_v<T>) {
        frontier_.push_back(t);
        break;
      } else {
        const bool dominated =
            std::any_of(frontier_.begin(), frontier_.end(), [&](const T& f) { return traits::less_equal(f, t); });
        if (!dominated) frontier_.push_back(t);
      }
    }
    for (const T& f : frontier_) scratch_.update(f, +1);
    scratch_.drain_into(changes);
  }

  change_batch<T> counts_;
  std::vector<T> frontier_;
  change_batch<T> scratch_;
};

}  // namespace streamweave
