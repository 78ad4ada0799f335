// detail::ordered_counts<T> (the counts behind mutable_antichain for epoch times): random
// updates against a std::map reference, and no allocation while a few times keep going
// 0 -> 1 -> 0 (one epoch in flight).
#include <streamweave/detail/ordered_counts.hpp>

#include "support/counting_new.hpp"
#include "support/seed.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace {

using counts = streamweave::detail::ordered_counts<std::uint64_t>;
namespace swt = streamweave::test;
namespace sw_seed = streamweave::testing;

}  // namespace

TEST(OrderedCounts, RandomUpdatesMatchMapReference) {
  for (auto seed : sw_seed::seeds(9100, 200)) {
    SCOPED_TRACE(sw_seed::seed_note(seed));
    swt::rng r(seed);
    counts c;
    std::map<std::uint64_t, std::int64_t> ref;
    const std::uint64_t range = 1 + r.below(40);
    for (int step = 0; step < 500; ++step) {
      const std::uint64_t t = r.below(range);
      const std::int64_t d = r.between(-2, 2);
      c.update(t, d);
      if ((ref[t] += d) == 0) ref.erase(t);
      std::optional<std::uint64_t> first;
      for (const auto& [k, v] : ref)
        if (v > 0) {
          first = k;
          break;
        }
      ASSERT_EQ(c.first_positive(), first) << "step " << step;
      ASSERT_EQ(c.to_vector(), (std::vector<std::pair<std::uint64_t, std::int64_t>>(ref.begin(), ref.end())))
          << "step " << step;
      ASSERT_EQ(c.size(), ref.size()) << "step " << step;
      ASSERT_TRUE(std::equal(c.begin(), c.end(), ref.begin(), ref.end())) << "step " << step;
    }
  }
}

TEST(OrderedCounts, CountsThatReturnToZeroReuseTheirNodes) {
  counts c;
  for (std::uint64_t t = 0; t < counts::spare_nodes; ++t) c.update(t, +1);  // warm up: one node per time
  for (std::uint64_t t = 0; t < counts::spare_nodes; ++t) c.update(t, -1);
  const std::uint64_t before = streamweave::testing::heap_allocations();
  for (std::uint64_t round = 0; round < 10'000; ++round) {
    for (std::uint64_t t = 0; t < counts::spare_nodes; ++t) c.update(round + t, +1);
    for (std::uint64_t t = 0; t < counts::spare_nodes; ++t) c.update(round + t, -1);
  }
  EXPECT_EQ(streamweave::testing::heap_allocations(), before);
  EXPECT_EQ(c.first_positive(), std::nullopt);
}
