#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <string>

#define SW_TEST_STR2(x) #x
#define SW_TEST_STR(x) SW_TEST_STR2(x)

TEST(Version, StringMatchesMacros) {
  const std::string expected = SW_TEST_STR(STREAMWEAVE_VERSION_MAJOR) "." SW_TEST_STR(
      STREAMWEAVE_VERSION_MINOR) "." SW_TEST_STR(STREAMWEAVE_VERSION_PATCH);
  ASSERT_NE(streamweave::version_string(), nullptr);
  EXPECT_EQ(std::string(streamweave::version_string()), expected);
}
