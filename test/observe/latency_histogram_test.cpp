// latency_histogram: exact statistics, bucket layout, merge, argument checks, and quantiles
// against an exact oracle (a sorted vector) on seeded random data.
// Random cases print their seed on failure; replay one with STREAMWEAVE_SEED=<seed>.
#include <streamweave/observe/latency_histogram.hpp>

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using streamweave::latency_histogram;
using u64 = std::uint64_t;

constexpr u64 top = latency_histogram::max_trackable_ns;
constexpr double qs[] = {0.0, 0.5, 0.9, 0.99, 0.999, 1.0};

std::vector<u64> seeds() { return streamweave::testing::seeds(9300, 20); }

u64 saturating_sum(const std::vector<u64>& v) {
  u64 s = 0;
  for (u64 x : v) s = x > std::numeric_limits<u64>::max() - s ? std::numeric_limits<u64>::max() : s + x;
  return s;
}

// The exact q-quantile: the ceil(q * n)-th smallest value (the smallest for q = 0).
u64 exact_quantile(const std::vector<u64>& sorted, double q) {
  const double r = std::ceil(q * double(sorted.size()));
  const std::size_t rank = std::clamp<std::size_t>(static_cast<std::size_t>(r), 1, sorted.size());
  return sorted[rank - 1];
}

// The only non-empty bucket of a histogram holding one value.
std::size_t single_bucket(const latency_histogram& h) {
  std::size_t found = latency_histogram::bucket_count();
  u64 total = 0;
  for (std::size_t i = 0; i < latency_histogram::bucket_count(); ++i) {
    total += h.bucket_value(i);
    if (h.bucket_value(i) != 0) found = i;
  }
  EXPECT_EQ(total, 1u);
  return found;
}

std::vector<u64> generate(const std::string& dist, std::mt19937_64& rng) {
  auto below = [&](u64 n) { return std::uniform_int_distribution<u64>(0, n - 1)(rng); };
  const bool few = dist == "huge";
  std::vector<u64> v(few ? 1 + below(8) : 1 + below(3000));
  const u64 same = below(u64{1} << 40);
  for (u64& x : v) {
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    if (dist == "uniform_small") x = below(101);
    if (dist == "log_uniform") x = std::max<u64>(1, static_cast<u64>(std::exp(u * std::log(1e10))));
    if (dist == "huge") x = (u64{1} << 62) - (u64{1} << 60) + below(u64{1} << 61);
    if (dist == "all_equal") x = same;
    if (dist == "mixed") x = below(50) == 0 ? top - below(u64{1} << 58) : static_cast<u64>(std::exp(u * 20));
  }
  return v;
}

TEST(LatencyHistogram, EmptyReturnsZeros) {
  latency_histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.sum_ns(), 0u);
  EXPECT_EQ(h.min_ns(), 0u);
  EXPECT_EQ(h.max_ns(), 0u);
  for (double q : qs) EXPECT_EQ(h.quantile_ns(q), 0u) << "q=" << q;
  for (std::size_t i = 0; i < latency_histogram::bucket_count(); ++i) EXPECT_EQ(h.bucket_value(i), 0u);
  EXPECT_EQ(h, latency_histogram{});
}

TEST(LatencyHistogram, InvalidQuantileThrows) {
  latency_histogram h;
  h.record(u64{5});
  for (double q : {-0.25, 1.5, -1e-300, std::nextafter(1.0, 2.0), std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_THROW((void)h.quantile_ns(q), std::invalid_argument) << "q=" << q;
    EXPECT_THROW((void)latency_histogram{}.quantile_ns(q), std::invalid_argument) << "q=" << q;
  }
  try {
    (void)h.quantile_ns(1.5);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("1.5"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)h.bucket_value(latency_histogram::bucket_count()), std::out_of_range);
  EXPECT_THROW((void)latency_histogram::bucket_upper_bound_ns(latency_histogram::bucket_count()), std::out_of_range);
}

TEST(LatencyHistogram, BucketBoundsStrictlyIncrease) {
  EXPECT_EQ(latency_histogram::bucket_upper_bound_ns(0), 0u);
  for (std::size_t i = 1; i < latency_histogram::bucket_count(); ++i)
    ASSERT_LT(latency_histogram::bucket_upper_bound_ns(i - 1), latency_histogram::bucket_upper_bound_ns(i)) << i;
  EXPECT_EQ(latency_histogram::bucket_upper_bound_ns(latency_histogram::bucket_count() - 1), top);
  EXPECT_EQ(latency_histogram::relative_error(), 1.0 / 32);
  // The width behind the error bound: 1 below 64, else at most (lowest value in the bucket) / 32.
  for (std::size_t i = 1; i < latency_histogram::bucket_count(); ++i) {
    const u64 lo = latency_histogram::bucket_upper_bound_ns(i - 1) + 1;
    const u64 width = latency_histogram::bucket_upper_bound_ns(i) - lo + 1;
    EXPECT_EQ(width, lo < 64 ? 1 : std::bit_floor(lo) / 32) << "bucket " << i;
  }
}

TEST(LatencyHistogram, EachValueLandsInItsBucket) {
  std::vector<u64> values;
  for (u64 v = 0; v <= 300; ++v) values.push_back(v);
  for (int k = 2; k < 63; ++k)
    for (u64 d : {u64{0}, u64{1}, u64{2}}) values.insert(values.end(), {(u64{1} << k) - d, (u64{1} << k) + d});
  for (std::size_t i = 0; i < latency_histogram::bucket_count(); ++i) {  // both edges of every bucket
    const u64 bound = latency_histogram::bucket_upper_bound_ns(i);
    values.insert(values.end(), {bound, bound + 1});
  }
  std::mt19937_64 rng(9300);
  for (int i = 0; i < 2000; ++i) values.push_back(rng() >> (rng() % 64));
  latency_histogram h;
  for (u64 v : values) {
    h.clear();
    h.record(v);
    const u64 stored = std::min(v, top);
    const std::size_t b = single_bucket(h);
    ASSERT_LT(b, latency_histogram::bucket_count()) << "v=" << v;
    EXPECT_GE(latency_histogram::bucket_upper_bound_ns(b), stored) << "v=" << v;
    if (b > 0) { EXPECT_LT(latency_histogram::bucket_upper_bound_ns(b - 1), stored) << "v=" << v; }
    if (stored < 64) { EXPECT_EQ(latency_histogram::bucket_upper_bound_ns(b), stored) << "v=" << v; }
    for (double q : qs) EXPECT_EQ(h.quantile_ns(q), stored) << "v=" << v << " q=" << q;
  }
}

TEST(LatencyHistogram, ClampsAndDurations) {
  latency_histogram h;
  h.record(std::numeric_limits<u64>::max());
  EXPECT_EQ(single_bucket(h), latency_histogram::bucket_count() - 1);
  EXPECT_EQ(h.max_ns(), top);
  h.record(top);
  EXPECT_EQ(h.sum_ns(), 2 * top);
  h.record(u64{2});  // 2 * top + 2 would wrap
  EXPECT_EQ(h.sum_ns(), std::numeric_limits<u64>::max());
  h.clear();
  h.record(std::chrono::nanoseconds(-7));
  h.record(std::chrono::microseconds(3));
  h.record(std::chrono::nanoseconds::max());
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.min_ns(), 0u);
  EXPECT_EQ(h.max_ns(), top);
  EXPECT_EQ(h.sum_ns(), top + 3000);
  EXPECT_GE(h.quantile_ns(0.5), 3000u);  // 3000 is in bucket [2944, 3007]
  EXPECT_LE(h.quantile_ns(0.5), 3000u + 3000u / 32);
}

TEST(LatencyHistogram, QuantilesMatchOracle) {
  for (u64 seed : seeds()) {
    for (std::string dist : {"uniform_small", "log_uniform", "huge", "all_equal", "mixed"}) {
      SCOPED_TRACE("seed=" + std::to_string(seed) + " dist=" + dist + " (replay: STREAMWEAVE_SEED=" +
                   std::to_string(seed) + ")");
      std::mt19937_64 rng(seed);
      std::vector<u64> values = generate(dist, rng);
      latency_histogram h;
      for (u64 v : values) h.record(v);
      std::vector<u64> sorted = values;
      std::sort(sorted.begin(), sorted.end());
      ASSERT_EQ(h.count(), sorted.size());
      EXPECT_EQ(h.sum_ns(), saturating_sum(sorted));
      EXPECT_EQ(h.min_ns(), sorted.front());
      EXPECT_EQ(h.max_ns(), sorted.back());
      u64 in_buckets = 0;
      for (std::size_t i = 0; i < latency_histogram::bucket_count(); ++i) in_buckets += h.bucket_value(i);
      EXPECT_EQ(in_buckets, h.count());
      u64 previous = 0;
      for (double q : {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
        const u64 x = exact_quantile(sorted, q);
        const u64 got = h.quantile_ns(q);
        EXPECT_GE(got, x) << "q=" << q;  // reports the bucket's upper bound: never below
        EXPECT_LE(got - x, x / 32) << "q=" << q << " x=" << x << " got=" << got;
        EXPECT_LE(double(got - x), double(x) * latency_histogram::relative_error()) << "q=" << q;
        if (x < 64) { EXPECT_EQ(got, x) << "q=" << q; }
        EXPECT_GE(got, h.min_ns());
        EXPECT_LE(got, h.max_ns());
        EXPECT_GE(got, previous) << "quantiles must not decrease, q=" << q;
        previous = got;
      }
      EXPECT_EQ(h.quantile_ns(0.0), sorted.front());
      EXPECT_EQ(h.quantile_ns(1.0), sorted.back());
    }
  }
}

TEST(LatencyHistogram, MergeEqualsRecordingBoth) {
  for (u64 seed : seeds()) {
    SCOPED_TRACE("seed=" + std::to_string(seed) + " (replay: STREAMWEAVE_SEED=" + std::to_string(seed) + ")");
    std::mt19937_64 rng(seed);
    latency_histogram a, b, both;
    for (u64 v : generate("mixed", rng)) a.record(v), both.record(v);
    for (u64 v : generate("log_uniform", rng)) b.record(v), both.record(v);
    latency_histogram merged = a;
    merged.merge(b);
    EXPECT_EQ(merged, both);
    EXPECT_EQ(merged.count(), a.count() + b.count());
    for (double q : qs) EXPECT_EQ(merged.quantile_ns(q), both.quantile_ns(q)) << "q=" << q;
    latency_histogram empty, from_empty;
    from_empty.merge(a);
    EXPECT_EQ(from_empty, a);
    a.merge(empty);
    EXPECT_EQ(from_empty, a);
    empty.merge(latency_histogram{});
    EXPECT_EQ(empty, latency_histogram{});
    EXPECT_EQ(empty.min_ns(), 0u);
  }
}

}  // namespace
