// key_hash (graph/key_hash.hpp): plain keys hash as std::hash does (so routing is unchanged),
// pair and tuple keys need no user code, their parts' order matters, and keyed operators and
// exchange group composite keys exactly (against a sequential oracle; replay a failure with
// STREAMWEAVE_SEED=<seed>).
#include <streamweave/streamweave.hpp>

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>

namespace sw = streamweave;

TEST(KeyHash, PlainKeysHashAsStdHashAndCompositeKeysCombineTheirPartsInOrder) {
  EXPECT_EQ(sw::key_hash<int>{}(42), std::hash<int>{}(42));
  EXPECT_EQ(sw::key_hash<std::string>{}("abc"), std::hash<std::string>{}("abc"));
  const sw::key_hash<std::pair<int, int>> pair_hash;
  EXPECT_NE(pair_hash({1, 2}), pair_hash({2, 1}));
  const sw::key_hash<std::tuple<std::int64_t, std::string, int>> tuple_hash;
  EXPECT_EQ(tuple_hash({1, "a", 2}), tuple_hash({1, "a", 2}));
  EXPECT_NE(tuple_hash({1, "a", 2}), tuple_hash({1, "a", 3}));
  static_assert(sw::detail::key_hash_enabled<std::pair<int, std::string>>());
  static_assert(!sw::detail::key_hash_enabled<std::pair<int, std::map<int, int>>>());
}

TEST(KeyHash, PairAndTupleKeysGroupExactlyAcrossInstances) {
  using record = std::tuple<int, int, std::string>;
  for (const std::uint64_t seed : sw::testing::seeds(8800, 10)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    std::vector<record> in;
    for (int i = static_cast<int>(rng() % 300); i > 0; --i)
      in.emplace_back(static_cast<int>(rng() % 4), static_cast<int>(rng() % 4), std::string(1, static_cast<char>('a' + rng() % 3)));
    std::map<std::pair<int, int>, std::uint64_t> want_pairs;
    std::map<record, std::uint64_t> want_tuples;
    for (const record& r : in) {
      ++want_pairs[{std::get<0>(r), std::get<1>(r)}];
      ++want_tuples[r];
    }
    sw::runtime rt({.threads = 1 + rng() % 3});
    sw::graph g("composite keys");
    auto s = g.source_from("in", in);
    const std::size_t n = 1 + rng() % 4;
    auto pairs = sw::stream<record>(s)
                     .key_by([](const record& r) { return std::pair{std::get<0>(r), std::get<1>(r)}; }, n)
                     .count("per pair")
                     .collect("pairs");
    auto tuples = sw::stream<record>(s).key_by([](const record& r) { return r; }, n).count("per tuple").collect("tuples");
    rt.run(g).wait();
    std::map<std::pair<int, int>, std::uint64_t> got_pairs;
    for (const auto& [k, c] : pairs.records()) EXPECT_TRUE(got_pairs.emplace(k, c).second) << "a pair counted in two instances";
    std::map<record, std::uint64_t> got_tuples;
    for (const auto& [k, c] : tuples.records()) EXPECT_TRUE(got_tuples.emplace(k, c).second) << "a tuple counted in two instances";
    EXPECT_EQ(got_pairs, want_pairs);
    EXPECT_EQ(got_tuples, want_tuples);
  }
}
