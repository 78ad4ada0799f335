// change_batch<K>: random update sequences vs a std::map reference, cancellation, and the
// compaction bound (docs/progress-tracking.md §4.1, §12.1).
#include <streamweave/progress/change_batch.hpp>
#include <streamweave/progress/timestamp.hpp>

#include "test_util.hpp"
#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace {

using streamweave::change_batch;
using P = streamweave::product<std::uint64_t, std::uint64_t>;
namespace swt = streamweave::test;
namespace sw_seed = streamweave::testing;

template <class K>
K random_key(swt::rng& r, std::uint64_t range);
template <>
int random_key<int>(swt::rng& r, std::uint64_t range) {
  return static_cast<int>(r.below(range)) - static_cast<int>(range / 2);
}
template <>
P random_key<P>(swt::rng& r, std::uint64_t range) {
  return P{r.below(range / 4 + 1), r.below(4)};
}

template <class K>
std::vector<std::pair<K, std::int64_t>> nonzero(const std::map<K, std::int64_t>& m) {
  std::vector<std::pair<K, std::int64_t>> v;
  for (const auto& [k, d] : m)
    if (d != 0) v.emplace_back(k, d);
  return v;
}

// Runs one seeded random sequence of updates/extends/reads/drains against a std::map.
template <class K>
void random_sequence(std::uint64_t seed) {
  SCOPED_TRACE(sw_seed::seed_note(seed));
  swt::rng r(seed);
  change_batch<K> batch;
  std::map<K, std::int64_t> ref;
  const std::uint64_t range = 2 + r.below(60);
  const int steps = 200 + static_cast<int>(r.below(400));
  std::size_t max_distinct = 0;
  for (int step = 0; step < steps; ++step) {
    const auto op = r.below(100);
    if (op < 70) {
      const K k = random_key<K>(r, range);
      const std::int64_t d = r.between(-3, 3);
      batch.update(k, d);
      ref[k] += d;
    } else if (op < 80) {
      std::vector<std::pair<K, std::int64_t>> ext;
      for (auto n = r.below(6); n > 0; --n) ext.emplace_back(random_key<K>(r, range), r.between(-2, 2));
      batch.extend(ext.begin(), ext.end());
      for (const auto& [k, d] : ext) ref[k] += d;
    } else if (op < 93) {
      ASSERT_EQ(batch.view(), nonzero(ref)) << "step " << step;
      ASSERT_EQ(batch.empty(), nonzero(ref).empty());
    } else if (op < 97) {
      std::vector<std::pair<K, std::int64_t>> out{{K{}, 12345}};  // drain_into appends
      batch.drain_into(out);
      auto expected = nonzero(ref);
      expected.insert(expected.begin(), std::pair<K, std::int64_t>{K{}, 12345});
      ASSERT_EQ(out, expected) << "step " << step;
      ASSERT_TRUE(batch.empty());
      ASSERT_EQ(batch.stored_entries(), 0u);
      ref.clear();
    } else {
      batch.compact();
      ASSERT_EQ(batch.stored_entries(), nonzero(ref).size());
    }
    // Storage stays proportional to the number of live keys: a compaction happens once the
    // list exceeds 32 entries and at least half of it is unconsolidated.
    max_distinct = std::max(max_distinct, nonzero(ref).size());
    ASSERT_LE(batch.stored_entries(), std::max<std::size_t>(32, 2 * max_distinct)) << "step " << step;
  }
  ASSERT_EQ(batch.view(), nonzero(ref));
}

TEST(ChangeBatch, RandomSequencesMatchMapReferenceInt) {
  for (auto seed : sw_seed::seeds(1000, 200)) {
    random_sequence<int>(seed);
    if (HasFatalFailure()) return;
  }
}

TEST(ChangeBatch, RandomSequencesMatchMapReferenceProduct) {
  for (auto seed : sw_seed::seeds(5000, 200)) {
    random_sequence<P>(seed);
    if (HasFatalFailure()) return;
  }
}

TEST(ChangeBatch, ViewIsSortedConsolidatedAndNonZero) {
  change_batch<int> b;
  b.update(5, 1);
  b.update(3, 2);
  b.update(5, 1);
  b.update(4, -1);
  b.update(3, -2);
  b.update(7, 0);  // zero deltas are ignored
  const std::vector<std::pair<int, std::int64_t>> expected{{4, -1}, {5, 2}};
  EXPECT_EQ(b.view(), expected);
  EXPECT_EQ(b.stored_entries(), 2u);
}

TEST(ChangeBatch, PlusMinusCancels) {
  change_batch<int> b;
  EXPECT_TRUE(b.empty());
  b.update(1, +1);
  EXPECT_FALSE(b.empty());
  b.update(1, -1);
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(b.view().empty());

  b.update(2, +2);
  b.update(3, -1);
  b.update(2, -1);
  b.update(3, +1);
  b.update(2, -1);
  EXPECT_TRUE(b.empty());

  std::vector<std::pair<int, std::int64_t>> out;
  b.drain_into(out);
  EXPECT_TRUE(out.empty());
}

TEST(ChangeBatch, CancellationOfProductKeys) {
  change_batch<P> b;
  b.update(P{0, 1}, 1);
  b.update(P{1, 0}, 1);
  b.update(P{0, 1}, -1);
  const std::vector<std::pair<P, std::int64_t>> expected{{P{1, 0}, 1}};
  EXPECT_EQ(b.view(), expected);
}

TEST(ChangeBatch, DrainIntoClearsAndKeepsWorking) {
  change_batch<int> b;
  b.update(1, 3);
  b.update(2, -4);
  std::vector<std::pair<int, std::int64_t>> out;
  b.drain_into(out);
  EXPECT_EQ(out, (std::vector<std::pair<int, std::int64_t>>{{1, 3}, {2, -4}}));
  EXPECT_TRUE(b.empty());
  b.update(1, 1);
  EXPECT_EQ(b.view(), (std::vector<std::pair<int, std::int64_t>>{{1, 1}}));
}

TEST(ChangeBatch, CompactionBoundSameKey) {
  change_batch<int> b;
  for (int i = 0; i < 1000; ++i) {
    b.update(17, +1);
    b.update(17, -1);
  }
  EXPECT_LE(b.stored_entries(), 32u);
  EXPECT_TRUE(b.empty());
}

TEST(ChangeBatch, CompactionBoundDistinctKeys) {
  change_batch<int> b;
  for (int i = 0; i < 1000; ++i) {
    b.update(i, +1);
    b.update(i, -1);
  }
  EXPECT_LE(b.stored_entries(), 32u);
  EXPECT_TRUE(b.empty());
}

TEST(ChangeBatch, CompactionBoundWithLiveKey) {
  change_batch<int> b;
  b.update(-1, 1);  // one key stays live throughout
  for (int i = 0; i < 1000; ++i) {
    b.update(i % 7, +1);
    b.update(i % 7, -1);
    EXPECT_LE(b.stored_entries(), 32u);
  }
  EXPECT_LE(b.stored_entries(), 32u);
  EXPECT_EQ(b.view(), (std::vector<std::pair<int, std::int64_t>>{{-1, 1}}));
}

}  // namespace
