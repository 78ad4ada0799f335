// antichain<T> and mutable_antichain<T> (docs/progress-tracking.md §4.2, §4.3, §12.1).
#include <streamweave/progress/antichain.hpp>
#include <streamweave/progress/timestamp.hpp>

#include "progress/scoped_time.hpp"
#include "test_util.hpp"
#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace {

using streamweave::antichain;
using streamweave::mutable_antichain;
using streamweave::timestamp_traits;
using P = streamweave::product<std::uint64_t, std::uint64_t>;
using S = streamweave::internal::scoped_time;  // the runtime tracker's time

// The tracker's times take the ordered-counts path; product times rebuild minimal sets.
static_assert(mutable_antichain<std::uint64_t>::totally_ordered);
static_assert(mutable_antichain<S>::totally_ordered);
static_assert(!mutable_antichain<P>::totally_ordered);
namespace swt = streamweave::test;
namespace sw_seed = streamweave::testing;

template <class T>
T random_time(swt::rng& r);
template <>
std::uint64_t random_time<std::uint64_t>(swt::rng& r) {
  return r.below(10);
}
template <>
P random_time<P>(swt::rng& r) {
  return P{r.below(4), r.below(4)};
}
template <>
S random_time<S>(swt::rng& r) {
  return S{r.below(10)};
}

template <class T>
std::vector<T> all_times();
template <>
std::vector<std::uint64_t> all_times<std::uint64_t>() {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < 11; ++i) v.push_back(i);
  return v;
}
template <>
std::vector<P> all_times<P>() {
  std::vector<P> v;
  for (std::uint64_t a = 0; a < 5; ++a)
    for (std::uint64_t b = 0; b < 5; ++b) v.push_back(P{a, b});
  return v;
}

// ---------------------------------------------------------------------------------------
// antichain
// ---------------------------------------------------------------------------------------

TEST(Antichain, EmptyAntichain) {
  antichain<std::uint64_t> a;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.size(), 0u);
  EXPECT_FALSE(a.less_equal(0));
  EXPECT_FALSE(a.less_than(5));
}

TEST(Antichain, U64KeepsTheMinimum) {
  antichain<std::uint64_t> a(5);
  EXPECT_FALSE(a.insert(7));  // dominated
  EXPECT_FALSE(a.insert(5));  // equal
  EXPECT_EQ(a.elements(), std::vector<std::uint64_t>{5});
  EXPECT_TRUE(a.insert(3));  // dominates and replaces 5
  EXPECT_EQ(a.elements(), std::vector<std::uint64_t>{3});
  EXPECT_TRUE(a.less_equal(3));
  EXPECT_TRUE(a.less_equal(4));
  EXPECT_FALSE(a.less_equal(2));
  EXPECT_FALSE(a.less_than(3));
  EXPECT_TRUE(a.less_than(4));
}

TEST(Antichain, ProductKeepsIncomparableElements) {
  antichain<P> a;
  EXPECT_TRUE(a.insert(P{1, 0}));
  EXPECT_TRUE(a.insert(P{0, 1}));
  EXPECT_EQ(a.size(), 2u);
  EXPECT_FALSE(a.insert(P{1, 1}));  // dominated by both
  EXPECT_FALSE(a.insert(P{0, 1}));  // already present
  EXPECT_TRUE(a.less_equal(P{1, 1}));
  EXPECT_TRUE(a.less_equal(P{0, 1}));
  EXPECT_FALSE(a.less_equal(P{0, 0}));
  EXPECT_FALSE(a.less_than(P{0, 1}));
  EXPECT_TRUE(a.less_than(P{0, 2}));
  EXPECT_TRUE(a.less_than(P{2, 0}));
  EXPECT_FALSE(a.less_than(P{1, 0}));

  antichain<P> b;
  b.insert(P{0, 1});
  b.insert(P{1, 0});
  EXPECT_EQ(a, b);  // order-insensitive equality

  EXPECT_TRUE(a.insert(P{0, 0}));  // removes both
  EXPECT_EQ(a.elements(), (std::vector<P>{P{0, 0}}));
  EXPECT_FALSE(a == b);
  a.clear();
  EXPECT_TRUE(a.empty());
}

template <class T>
class AntichainRandom : public ::testing::Test {};
using TimeTypes = ::testing::Types<std::uint64_t, P>;
TYPED_TEST_SUITE(AntichainRandom, TimeTypes);

TYPED_TEST(AntichainRandom, InsertMatchesMinimalElementsAndQueries) {
  using T = TypeParam;
  using tr = timestamp_traits<T>;
  for (auto seed : sw_seed::seeds(100, 300)) {
    SCOPED_TRACE(sw_seed::seed_note(seed));
    swt::rng r(seed);
    antichain<T> a;
    std::vector<T> inserted;
    for (auto n = r.below(12); n > 0; --n) {
      const T t = random_time<T>(r);
      const bool expect_insert = std::none_of(inserted.begin(), inserted.end(), [&](const T& x) { return tr::less_equal(x, t); });
      ASSERT_EQ(a.insert(t), expect_insert) << ::testing::PrintToString(t);
      inserted.push_back(t);
      ASSERT_EQ(swt::sorted(a), swt::minimal_elements(inserted));
    }
    for (const T& t : all_times<T>()) {
      const bool le = std::any_of(inserted.begin(), inserted.end(), [&](const T& x) { return tr::less_equal(x, t); });
      const bool lt = std::any_of(inserted.begin(), inserted.end(), [&](const T& x) { return tr::less_equal(x, t) && !(x == t); });
      ASSERT_EQ(a.less_equal(t), le) << ::testing::PrintToString(t);
      ASSERT_EQ(a.less_than(t), lt) << ::testing::PrintToString(t);
    }
  }
}

// ---------------------------------------------------------------------------------------
// mutable_antichain
// ---------------------------------------------------------------------------------------

template <class T>
std::vector<T> positive_minimal(const std::map<T, std::int64_t>& counts) {
  std::vector<T> pos;
  for (const auto& [t, c] : counts)
    if (c > 0) pos.push_back(t);
  return swt::minimal_elements(pos);
}

// Applies frontier changes to `old` and checks they yield `now` (both sets).
template <class T>
void expect_changes_transform(const std::vector<T>& old, const std::vector<std::pair<T, std::int64_t>>& changes,
                              const std::vector<T>& now) {
  std::map<T, std::int64_t> m;
  for (const T& t : old) m[t] += 1;
  std::map<T, int> seen;
  for (const auto& [t, d] : changes) {
    EXPECT_NE(d, 0) << "zero change for " << ::testing::PrintToString(t);
    EXPECT_EQ(++seen[t], 1) << "unconsolidated change for " << ::testing::PrintToString(t);
    m[t] += d;
  }
  std::vector<T> result;
  for (const auto& [t, c] : m) {
    EXPECT_TRUE(c == 0 || c == 1) << ::testing::PrintToString(t) << " count " << c;
    if (c == 1) result.push_back(t);
  }
  EXPECT_EQ(result, swt::sorted(now));
}

template <class T>
class MutableAntichainRandom : public ::testing::Test {};
using TrackedTimeTypes = ::testing::Types<std::uint64_t, P, S>;
TYPED_TEST_SUITE(MutableAntichainRandom, TrackedTimeTypes);

TYPED_TEST(MutableAntichainRandom, MatchesRecomputationFromScratch) {
  using T = TypeParam;
  std::size_t transient_negative_batches = 0;
  std::size_t negative_at_rest = 0;
  for (auto seed : sw_seed::seeds(200, 300)) {
    SCOPED_TRACE(sw_seed::seed_note(seed));
    swt::rng r(seed);
    mutable_antichain<T> ma;
    std::map<T, std::int64_t> ref;
    const bool allow_negative_at_rest = r.chance(0.3);
    for (int step = 0; step < 40; ++step) {
      // A batch of updates; with allow_negative_at_rest counts may stay negative between
      // batches, otherwise only transiently (within the batch).
      std::vector<std::pair<T, std::int64_t>> batch;
      std::map<T, std::int64_t> net = ref;
      for (auto n = 1 + r.below(6); n > 0; --n) {
        std::vector<T> positive;
        for (const auto& [t, c] : net)
          if (c > 0) positive.push_back(t);
        if (!allow_negative_at_rest && !positive.empty() && r.chance(0.45)) {
          const T t = positive[r.below(positive.size())];
          const std::int64_t d = r.between(1, net[t]);
          batch.emplace_back(t, -d);
          net[t] -= d;
        } else {
          const T t = random_time<T>(r);
          const std::int64_t d = allow_negative_at_rest ? r.between(-2, 3) : r.between(1, 3);
          batch.emplace_back(t, d);
          net[t] += d;
        }
        if (r.chance(0.15)) {  // a +1/-1 pair that cancels
          const T t = random_time<T>(r);
          batch.emplace_back(t, 1);
          batch.emplace_back(t, -1);
        }
      }
      r.shuffle(batch);
      {
        std::map<T, std::int64_t> run = ref;
        bool neg = false;
        for (const auto& [t, d] : batch) neg |= (run[t] += d) < 0;
        transient_negative_batches += neg;
      }
      const std::vector<T> old = ma.frontier();
      std::vector<std::pair<T, std::int64_t>> changes;
      if (r.chance(0.5)) {
        ma.update(batch, changes);
      } else {
        for (const auto& [t, d] : batch) ma.update_one(t, d, changes);  // one at a time
      }
      for (const auto& [t, d] : batch) ref[t] += d;
      for (const auto& [t, c] : ref) negative_at_rest += c < 0;

      SCOPED_TRACE("step " + std::to_string(step));
      ASSERT_EQ(swt::sorted(ma.frontier()), positive_minimal(ref));
      ASSERT_EQ(ma.frontier_empty(), ma.frontier().empty());
      {
        // With update_one() the changes are consolidated per call, not across calls:
        // sum them up before applying them to the old frontier.
        std::map<T, std::int64_t> acc;
        for (const auto& [t, d] : changes) acc[t] += d;
        std::vector<std::pair<T, std::int64_t>> consolidated;
        for (const auto& [t, d] : acc)
          if (d != 0) consolidated.emplace_back(t, d);
        expect_changes_transform(old, consolidated, ma.frontier());
      }
      std::vector<std::pair<T, std::int64_t>> expected_counts;
      for (const auto& [t, c] : ref)
        if (c != 0) expected_counts.emplace_back(t, c);
      ASSERT_EQ(ma.counts(), expected_counts);
      if (this->HasFailure()) return;
    }
  }
  if (!sw_seed::replaying()) {
    EXPECT_GT(transient_negative_batches, 50u) << "the generator should produce transient negative counts";
    EXPECT_GT(negative_at_rest, 0u);
  }
}

// A single batched update() must emit consolidated changes that transform old into new.
TYPED_TEST(MutableAntichainRandom, BatchedChangesAreConsolidatedAndExact) {
  using T = TypeParam;
  for (auto seed : sw_seed::seeds(700, 300)) {
    SCOPED_TRACE(sw_seed::seed_note(seed));
    swt::rng r(seed);
    mutable_antichain<T> ma;
    std::map<T, std::int64_t> ref;
    for (int step = 0; step < 30; ++step) {
      std::vector<std::pair<T, std::int64_t>> batch;
      for (auto n = 1 + r.below(8); n > 0; --n) batch.emplace_back(random_time<T>(r), r.between(-3, 3));
      const std::vector<T> old = ma.frontier();
      std::vector<std::pair<T, std::int64_t>> changes;
      ma.update(batch, changes);
      for (const auto& [t, d] : batch) ref[t] += d;
      ASSERT_EQ(swt::sorted(ma.frontier()), positive_minimal(ref)) << "step " << step;
      expect_changes_transform(old, changes, ma.frontier());
      if (this->HasFailure()) return;
    }
  }
}

TEST(MutableAntichain, UpdateAppendsToChanges) {
  mutable_antichain<std::uint64_t> ma;
  std::vector<std::pair<std::uint64_t, std::int64_t>> changes{{99, 7}};
  ma.update_one(3, 1, changes);
  EXPECT_EQ(changes, (std::vector<std::pair<std::uint64_t, std::int64_t>>{{99, 7}, {3, 1}}));
}

TEST(MutableAntichain, ChurnAboveTheFrontierEmitsNothing) {
  mutable_antichain<P> ma;
  std::vector<std::pair<P, std::int64_t>> changes;
  ma.update_one(P{0, 0}, 1, changes);
  ASSERT_EQ(changes.size(), 1u);
  changes.clear();
  for (int i = 0; i < 10000; ++i) {
    ma.update_one(P{1, 2}, +1, changes);
    ma.update_one(P{1, 2}, -1, changes);
  }
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(ma.frontier(), (std::vector<P>{P{0, 0}}));
}

TEST(MutableAntichain, TransientNegativeWithinBatch) {
  mutable_antichain<std::uint64_t> ma;
  std::vector<std::pair<std::uint64_t, std::int64_t>> changes;
  ma.update_one(5, 1, changes);
  changes.clear();
  // -1 at 3 before +1 at 3 (count dips to -1), and 5 is removed.
  const std::vector<std::pair<std::uint64_t, std::int64_t>> batch{{3, -1}, {5, -1}, {3, 2}};
  ma.update(batch, changes);
  EXPECT_EQ(ma.frontier(), std::vector<std::uint64_t>{3});
  EXPECT_EQ(changes, (std::vector<std::pair<std::uint64_t, std::int64_t>>{{3, 1}, {5, -1}}));
}

TEST(MutableAntichain, NegativeCountsDoNotFormFrontier) {
  mutable_antichain<P> ma;
  std::vector<std::pair<P, std::int64_t>> changes;
  ma.update_one(P{0, 0}, -1, changes);
  EXPECT_TRUE(ma.frontier_empty());
  EXPECT_TRUE(changes.empty());
  ma.update_one(P{1, 1}, 1, changes);
  EXPECT_EQ(ma.frontier(), (std::vector<P>{P{1, 1}}));
  ma.update_one(P{0, 0}, 1, changes);  // -1 -> 0: still not in the frontier
  EXPECT_EQ(ma.frontier(), (std::vector<P>{P{1, 1}}));
  ma.update_one(P{0, 0}, 1, changes);  // 0 -> 1: now the minimum
  EXPECT_EQ(ma.frontier(), (std::vector<P>{P{0, 0}}));
}

}  // namespace
