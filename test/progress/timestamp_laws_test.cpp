// Laws of the timestamp / path-summary algebra (docs/progress-tracking.md §5, §12.1),
// checked exhaustively over small value sets that include the overflow boundary.
#include <streamweave/progress/timestamp.hpp>

#include "test_util.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace {

using streamweave::product;
using streamweave::product_summary;
using streamweave::timestamp_traits;

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
using P = product<std::uint64_t, std::uint64_t>;

// Small values plus values at the top of the range, so that overflow is exercised.
std::vector<std::uint64_t> u64_values() {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i <= 5; ++i) v.push_back(i);
  for (std::uint64_t i = 0; i <= 5; ++i) v.push_back(kMax - 5 + i);
  return v;
}
std::vector<std::uint64_t> u64_coords() { return {0, 1, 2, kMax - 1, kMax}; }

template <class T>
std::vector<T> times();
template <>
std::vector<std::uint64_t> times<std::uint64_t>() {
  return u64_values();
}
template <>
std::vector<P> times<P>() {
  std::vector<P> v;
  for (auto a : u64_coords())
    for (auto b : u64_coords()) v.push_back(P{a, b});
  return v;
}

template <class T>
std::vector<typename timestamp_traits<T>::summary> summaries();
template <>
std::vector<std::uint64_t> summaries<std::uint64_t>() {
  return u64_values();
}
template <>
std::vector<product_summary<std::uint64_t, std::uint64_t>> summaries<P>() {
  std::vector<product_summary<std::uint64_t, std::uint64_t>> v;
  for (auto a : u64_coords())
    for (auto b : u64_coords()) v.push_back({a, b});
  return v;
}

// The order on optional results: nullopt ("no time survives") is the top element.
template <class T, class Le>
bool opt_le(const std::optional<T>& a, const std::optional<T>& b, Le le) {
  if (!b) return true;
  if (!a) return false;
  return le(*a, *b);
}

template <class T>
class TimestampLaws : public ::testing::Test {};
using TimestampTypes = ::testing::Types<std::uint64_t, P>;
TYPED_TEST_SUITE(TimestampLaws, TimestampTypes);

TYPED_TEST(TimestampLaws, PartialOrderIsAPartialOrderWithMinimum) {
  using T = TypeParam;
  using tr = timestamp_traits<T>;
  const auto ts = times<T>();
  for (const T& a : ts) {
    EXPECT_TRUE(tr::less_equal(a, a));
    EXPECT_TRUE(tr::less_equal(tr::minimum(), a));
    for (const T& b : ts) {
      if (tr::less_equal(a, b) && tr::less_equal(b, a)) { EXPECT_EQ(a, b); }
      for (const T& c : ts)
        if (tr::less_equal(a, b) && tr::less_equal(b, c)) { EXPECT_TRUE(tr::less_equal(a, c)); }
    }
  }
}

TYPED_TEST(TimestampLaws, IdentityLeavesTimesUnchanged) {
  using T = TypeParam;
  using tr = timestamp_traits<T>;
  for (const T& t : times<T>()) {
    auto r = tr::results_in(tr::identity(), t);
    ASSERT_TRUE(r.has_value()) << ::testing::PrintToString(t);
    EXPECT_EQ(*r, t);
  }
  for (const auto& s : summaries<T>()) {
    EXPECT_EQ(tr::followed_by(tr::identity(), s), s);
    EXPECT_EQ(tr::followed_by(s, tr::identity()), s);
    EXPECT_TRUE(tr::summary_less_equal(tr::identity(), s));
  }
}

TYPED_TEST(TimestampLaws, ResultsInNeverDecreasesTime) {
  using T = TypeParam;
  using tr = timestamp_traits<T>;
  for (const auto& s : summaries<T>())
    for (const T& t : times<T>())
      if (auto r = tr::results_in(s, t)) { EXPECT_TRUE(tr::less_equal(t, *r)); }
}

TYPED_TEST(TimestampLaws, ResultsInIsMonotoneInBothArguments) {
  using T = TypeParam;
  using tr = timestamp_traits<T>;
  const auto ss = summaries<T>();
  const auto ts = times<T>();
  auto le = [](const T& a, const T& b) { return tr::less_equal(a, b); };
  for (const auto& s1 : ss)
    for (const auto& s2 : ss) {
      if (!tr::summary_less_equal(s1, s2)) continue;
      for (const T& t1 : ts)
        for (const T& t2 : ts) {
          if (!tr::less_equal(t1, t2)) continue;
          EXPECT_TRUE(opt_le(tr::results_in(s1, t1), tr::results_in(s2, t2), le))
              << "s1=" << ::testing::PrintToString(s1) << " s2=" << ::testing::PrintToString(s2)
              << " t1=" << ::testing::PrintToString(t1) << " t2=" << ::testing::PrintToString(t2);
        }
    }
}

TYPED_TEST(TimestampLaws, FollowedByIsMonotoneInBothArguments) {
  using T = TypeParam;
  using tr = timestamp_traits<T>;
  using S = typename tr::summary;
  const auto ss = summaries<T>();
  auto le = [](const S& a, const S& b) { return tr::summary_less_equal(a, b); };
  for (const auto& a1 : ss)
    for (const auto& a2 : ss) {
      if (!tr::summary_less_equal(a1, a2)) continue;
      for (const auto& b1 : ss)
        for (const auto& b2 : ss) {
          if (!tr::summary_less_equal(b1, b2)) continue;
          EXPECT_TRUE(opt_le(tr::followed_by(a1, b1), tr::followed_by(a2, b2), le))
              << ::testing::PrintToString(a1) << ";" << ::testing::PrintToString(b1) << " vs "
              << ::testing::PrintToString(a2) << ";" << ::testing::PrintToString(b2);
        }
    }
}

TYPED_TEST(TimestampLaws, FollowedByAgreesWithSequentialApplication) {
  using T = TypeParam;
  using tr = timestamp_traits<T>;
  for (const auto& a : summaries<T>())
    for (const auto& b : summaries<T>())
      for (const T& t : times<T>()) {
        const auto ab = tr::followed_by(a, b);
        const auto at = tr::results_in(a, t);
        const auto sequential = at ? tr::results_in(b, *at) : std::nullopt;
        // When composition overflows, applying the parts in turn overflows too.
        const auto composed = ab ? tr::results_in(*ab, t) : std::nullopt;
        EXPECT_EQ(composed, sequential) << "a=" << ::testing::PrintToString(a) << " b=" << ::testing::PrintToString(b)
                                        << " t=" << ::testing::PrintToString(t);
      }
}

TYPED_TEST(TimestampLaws, FollowedByIsAssociative) {
  using T = TypeParam;
  using tr = timestamp_traits<T>;
  using S = typename tr::summary;
  const auto ss = summaries<T>();
  auto then = [](const std::optional<S>& x, const S& y) { return x ? tr::followed_by(*x, y) : std::nullopt; };
  for (const auto& a : ss)
    for (const auto& b : ss)
      for (const auto& c : ss) {
        const auto left = then(tr::followed_by(a, b), c);
        const auto bc = tr::followed_by(b, c);
        const auto right = bc ? tr::followed_by(a, *bc) : std::nullopt;
        EXPECT_EQ(left, right);
      }
}

TYPED_TEST(TimestampLaws, LexicographicOrderExtendsPartialOrder) {
  using T = TypeParam;
  using tr = timestamp_traits<T>;
  const auto ts = times<T>();
  for (const T& a : ts)
    for (const T& b : ts) {
      // Total: exactly one of a<b, a==b, b<a.
      EXPECT_EQ((a < b) + (a == b) + (b < a), 1);
      if (tr::less_equal(a, b) && !(a == b)) { EXPECT_TRUE(a < b) << ::testing::PrintToString(a) << " " << ::testing::PrintToString(b); }
      if (tr::less_equal(a, b)) { EXPECT_FALSE(b < a); }
    }
}

TEST(TimestampLawsU64, OverflowReturnsNullopt) {
  using tr = timestamp_traits<std::uint64_t>;
  EXPECT_EQ(tr::results_in(1, kMax), std::nullopt);
  EXPECT_EQ(tr::results_in(kMax, 1), std::nullopt);
  EXPECT_EQ(tr::results_in(kMax, kMax), std::nullopt);
  EXPECT_EQ(tr::results_in(0, kMax), kMax);
  EXPECT_EQ(tr::results_in(kMax - 3, 3), kMax);
  EXPECT_EQ(tr::followed_by(kMax, 1), std::nullopt);
  EXPECT_EQ(tr::followed_by(1, kMax), std::nullopt);
  EXPECT_EQ(tr::followed_by(kMax - 1, 1), kMax);
  EXPECT_EQ(tr::followed_by(kMax, 0), kMax);
}

TEST(TimestampLawsProduct, OverflowInEitherCoordinateReturnsNullopt) {
  using tr = timestamp_traits<P>;
  using S = tr::summary;
  EXPECT_EQ(tr::results_in(S{0, 1}, P{0, kMax}), std::nullopt);
  EXPECT_EQ(tr::results_in(S{1, 0}, P{kMax, 0}), std::nullopt);
  EXPECT_EQ(tr::results_in(S{0, 1}, P{kMax, 0}), (P{kMax, 1}));
  EXPECT_EQ(tr::followed_by(S{0, kMax}, S{0, 1}), std::nullopt);
  EXPECT_EQ(tr::followed_by(S{kMax, 0}, S{1, 0}), std::nullopt);
  EXPECT_EQ(tr::followed_by(S{kMax, 0}, S{0, 1}), (S{kMax, 1}));
}

TEST(TimestampLawsProduct, ProductOrderIsComponentWise) {
  using tr = timestamp_traits<P>;
  EXPECT_TRUE(tr::less_equal(P{0, 0}, P{0, 1}));
  EXPECT_TRUE(tr::less_equal(P{0, 0}, P{1, 0}));
  EXPECT_FALSE(tr::less_equal(P{0, 1}, P{1, 0}));
  EXPECT_FALSE(tr::less_equal(P{1, 0}, P{0, 1}));
  EXPECT_TRUE((P{0, 1} < P{1, 0}));  // incomparable, but totally ordered lexicographically
  EXPECT_EQ(tr::minimum(), (P{0, 0}));
  EXPECT_EQ(tr::identity(), (tr::summary{0, 0}));
  EXPECT_EQ(tr::results_in(tr::summary{2, 3}, P{1, 1}), (P{3, 4}));
}

static_assert(streamweave::timestamp_type<std::uint64_t>);
static_assert(streamweave::timestamp_type<P>);

}  // namespace
