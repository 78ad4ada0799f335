#pragma once
/// Helpers shared by the progress-tracking tests: a portable seeded RNG (seeds come from
/// support/seed.hpp, replay with STREAMWEAVE_SEED), gtest printers for product timestamps/summaries, and
/// brute-force "minimal elements" used as a reference.
#include <streamweave/progress/timestamp.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace streamweave {

// gtest printers (found by ADL) so that failures show readable timestamps.
template <class A, class B>
void PrintTo(const product<A, B>& t, std::ostream* os) {
  *os << "(" << t.outer << "," << t.inner << ")";
}
template <class A, class B>
void PrintTo(const product_summary<A, B>& s, std::ostream* os) {
  *os << "+(" << s.outer << "," << s.inner << ")";
}

}  // namespace streamweave

namespace streamweave::test {

/// splitmix64: tiny, portable and identical on every standard library (unlike
/// std::uniform_int_distribution), so a printed seed replays everywhere.
class rng {
 public:
  explicit rng(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n), n > 0.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  /// Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  /// True with probability p.
  bool chance(double p) { return static_cast<double>(below(1u << 20)) < p * static_cast<double>(1u << 20); }
  template <class V>
  void shuffle(std::vector<V>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::uint64_t state_;
};

/// Minimal elements (under the partial order) of a set of times, sorted by the total order,
/// computed from scratch by pairwise comparison.
template <class T>
std::vector<T> minimal_elements(std::vector<T> xs) {
  using traits = timestamp_traits<T>;
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  std::vector<T> out;
  for (const T& x : xs) {
    bool dominated = false;
    for (const T& y : xs)
      if (!(y == x) && traits::less_equal(y, x)) dominated = true;
    if (!dominated) out.push_back(x);
  }
  return out;
}

/// A frontier as a sorted vector, for set comparison.
template <class Range>
auto sorted(const Range& r) {
  std::vector<std::decay_t<decltype(*std::begin(r))>> v(std::begin(r), std::end(r));
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace streamweave::test
