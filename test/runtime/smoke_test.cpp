#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <numeric>

namespace sw = streamweave;

TEST(Smoke, PipelineSumsRecords) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g("smoke");
  std::vector<std::uint64_t> data(10000);
  std::iota(data.begin(), data.end(), 0);
  auto out = g.source_from("numbers", data).map([](std::uint64_t x) { return x * 2; }).filter([](std::uint64_t x) { return x % 4 == 0; }).collect("sink");
  auto ex = rt.run(g);
  ex.wait();
  std::uint64_t sum = 0;
  for (auto v : out.records()) sum += v;
  std::uint64_t expected = 0;
  for (auto x : data)
    if ((x * 2) % 4 == 0) expected += x * 2;
  EXPECT_EQ(sum, expected);
}
