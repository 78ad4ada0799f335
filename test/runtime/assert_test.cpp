// STREAMWEAVE_ASSERT: on in the dev, asan and tsan builds (STREAMWEAVE_ASSERTIONS), where a
// broken invariant aborts with its message; a compiled-out check never evaluates its condition.
#include <streamweave/detail/assert.hpp>

#include <gtest/gtest.h>

namespace {
int evaluations = 0;
bool counted(bool value) {
  ++evaluations;
  return value;
}
}  // namespace

#if defined(STREAMWEAVE_ENABLE_ASSERTIONS) && STREAMWEAVE_ENABLE_ASSERTIONS

TEST(Assertions, AreOnInThisBuildAndPassingChecksDoNothing) {
  evaluations = 0;
  STREAMWEAVE_ASSERT(counted(true), "never fails");
  EXPECT_EQ(evaluations, 1);
}

TEST(AssertionsDeathTest, ABrokenInvariantAbortsWithItsMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(STREAMWEAVE_ASSERT(counted(false), "queue depth above capacity"),
               "StreamWeave invariant broken: queue depth above capacity \\(counted\\(false\\)\\)");
}

#else

TEST(Assertions, AreCompiledOutAndDoNotEvaluateTheCondition) {
  evaluations = 0;
  STREAMWEAVE_ASSERT(counted(false), "would fail");
  EXPECT_EQ(evaluations, 0);
}

#endif
