#pragma once
/// \file
/// `latency_histogram`: a fixed-size log-linear (HDR-style) histogram of durations in
/// nanoseconds, with exact count, sum, min and max and quantiles within a stated relative error.
///
/// Buckets: every value below 64 has a bucket of its own (exact). Above that, each power-of-two
/// range [2^k, 2^(k+1)) (k >= 6) is split into 2^sub_bits = 32 equal sub-buckets of width
/// 2^(k-5). The top bucket ends at `max_trackable_ns` = 2^63 - 1 (the largest
/// `std::chrono::nanoseconds`); a larger value is recorded as `max_trackable_ns` (it counts, and
/// enters sum, min and max, as that value). 1888 buckets, no allocation (about 15 KiB).
///
/// Error bound: `quantile_ns(q)` reports the inclusive upper bound of the bucket holding the exact
/// quantile x, clamped to [min_ns(), max_ns()]. So the report h never underestimates and
/// x <= h <= x * (1 + relative_error()), with relative_error() = 2^-sub_bits = 1/32 = 3.125%
/// (strictly: h - x < x / 32, and h == x for x < 64, for q = 0 and for q = 1).
///
/// Thread safety: none; a plain value type (copyable, comparable). The runtime updates its
/// histograms under a lock and hands out copies, so a reader always holds a consistent snapshot.
#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace streamweave {

class latency_histogram {
 public:
  /// log2 of the number of sub-buckets per power of two.
  static constexpr unsigned sub_bits = 5;
  /// The largest value kept as is; larger values are recorded as this one.
  static constexpr std::uint64_t max_trackable_ns =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

  /// The bound on |reported - exact| / exact for every quantile (see the file comment).
  static constexpr double relative_error() noexcept { return 1.0 / double(1u << sub_bits); }

  /// Records one duration of `ns` nanoseconds (clamped to `max_trackable_ns`).
  void record(std::uint64_t ns) noexcept {
    ns = std::min(ns, max_trackable_ns);
    ++counts_[index_of(ns)];
    ++count_;
    sum_ = saturating_add(sum_, ns);
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
  }
  /// Records one duration; a negative duration is recorded as 0.
  void record(std::chrono::nanoseconds d) noexcept {
    record(d.count() < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(d.count()));
  }

  /// Number of recorded values.
  std::uint64_t count() const noexcept { return count_; }
  /// Sum of the recorded values; saturates at 2^64 - 1 instead of wrapping.
  std::uint64_t sum_ns() const noexcept { return sum_; }
  /// Smallest and largest recorded value (exact); 0 when empty.
  std::uint64_t min_ns() const noexcept { return count_ == 0 ? 0 : min_; }
  std::uint64_t max_ns() const noexcept { return max_; }

  /// The q-quantile, q in [0, 1]: with rank r = max(1, ceil(q * count())), the r-th smallest
  /// recorded value x, reported as h with x <= h <= x * (1 + relative_error()), and
  /// min_ns() <= h <= max_ns(). q = 0 gives min_ns() and q = 1 gives max_ns() exactly.
  /// 0 when empty. Throws std::invalid_argument (naming q) for q outside [0, 1] or NaN.
  std::uint64_t quantile_ns(double q) const {
    if (!(q >= 0.0 && q <= 1.0)) {
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, q);
      throw std::invalid_argument("latency_histogram::quantile_ns: q must be in [0, 1], got " +
                                  std::string(buf, res.ptr));
    }
    if (count_ == 0) return 0;
    const double r = std::ceil(q * double(count_));
    std::uint64_t rank = r >= double(count_) ? count_ : static_cast<std::uint64_t>(r);
    if (rank <= 1) return min_;  // the smallest value is known exactly
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_total; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::clamp(upper_bound_of(i), min_, max_);
    }
    return max_;  // unreachable: the counts sum to count_
  }

  /// Adds every value recorded in `other` (as if recorded here). `merge(*this)` doubles.
  void merge(const latency_histogram& other) noexcept {
    for (std::size_t i = 0; i < bucket_total; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ = saturating_add(sum_, other.sum_);
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  /// Forgets every recorded value.
  void clear() noexcept { *this = latency_histogram{}; }

  /// Bucket iteration for exporters: bucket i holds the values in
  /// (bucket_upper_bound_ns(i - 1), bucket_upper_bound_ns(i)] (from 0 for i = 0); the bounds
  /// strictly increase, and the last is max_trackable_ns.
  static constexpr std::size_t bucket_count() noexcept { return bucket_total; }
  /// Inclusive upper bound of bucket i; throws std::out_of_range for i >= bucket_count().
  static constexpr std::uint64_t bucket_upper_bound_ns(std::size_t i) {
    if (i >= bucket_total) throw std::out_of_range("latency_histogram: bucket index out of range");
    return upper_bound_of(i);
  }
  /// Number of recorded values in bucket i; throws std::out_of_range for i >= bucket_count().
  std::uint64_t bucket_value(std::size_t i) const {
    if (i >= bucket_total) throw std::out_of_range("latency_histogram: bucket index out of range");
    return counts_[i];
  }

  friend bool operator==(const latency_histogram&, const latency_histogram&) = default;

 private:
  static constexpr std::uint64_t sub_count = std::uint64_t{1} << sub_bits;  // 32

  // Value v maps to (shift << sub_bits) + (v >> shift), where shift = max(0, bit_width(v) - 6)
  // keeps the top sub_bits + 1 bits of v: the leading 1 and the 5-bit sub-bucket. For v < 64,
  // shift = 0 and the index is v itself; indices are contiguous and increase with v.
  static constexpr unsigned shift_of_value(std::uint64_t v) noexcept {
    const int w = std::bit_width(v);
    return w > int(sub_bits) + 1 ? unsigned(w) - (sub_bits + 1) : 0u;
  }
  static constexpr std::size_t index_of(std::uint64_t v) noexcept {
    const unsigned shift = shift_of_value(v);
    return std::size_t((std::uint64_t{shift} << sub_bits) + (v >> shift));
  }
  // Inverse: index i >= 64 has shift i / 32 - 1 and mantissa m = i - 32 * shift in [32, 64);
  // its values are [m << shift, ((m + 1) << shift) - 1].
  static constexpr std::uint64_t upper_bound_of(std::size_t i) noexcept {
    const std::uint64_t shift = i < 2 * sub_count ? 0 : i / sub_count - 1;
    const std::uint64_t m = i - (shift << sub_bits);
    return ((m + 1) << shift) - 1;
  }
  static constexpr std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
    return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max()
                                                              : a + b;
  }

  // 64 exact buckets, then 32 for each k in [6, 62].
  static constexpr std::size_t bucket_total = (64 - sub_bits) * sub_count;

  std::array<std::uint64_t, bucket_total> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();  // max when empty
  std::uint64_t max_ = 0;
};

static_assert(latency_histogram::bucket_count() == 1888);
static_assert(latency_histogram::bucket_upper_bound_ns(latency_histogram::bucket_count() - 1) ==
              latency_histogram::max_trackable_ns);

}  // namespace streamweave
