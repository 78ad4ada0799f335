// The sequential NEXMark reference queries (bench/nexmark/reference_queries.hpp): every query
// on both samples against the expected files (bytewise sorted), then hand-made edge cases the
// samples do not reach: negative prices and times, int64 overflow, Q6's window of 10, Q4's
// truncation toward zero, and independence from the order of the input.
#include "nexmark/csv_reader.hpp"
#include "nexmark/reference_queries.hpp"
#include "support/nexmark_samples.hpp"

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace nx = streamweave::nexmark;

namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

std::vector<std::string> sorted(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());  // bytewise, as LC_ALL=C sort
  return rows;
}

/// The lines of a text file, without their LFs.
std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Equal row lists, or a message with both counts and the first row that differs.
::testing::AssertionResult same_rows(const std::vector<std::string>& actual, const std::vector<std::string>& expected) {
  const std::size_t common = std::min(actual.size(), expected.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (actual[i] != expected[i]) {
      return ::testing::AssertionFailure() << actual.size() << " rows, expected " << expected.size() << "; first difference at sorted row "
                                           << i << ":\n  actual:   " << actual[i] << "\n  expected: " << expected[i];
    }
  }
  if (actual.size() != expected.size()) {
    const bool more = actual.size() > expected.size();
    return ::testing::AssertionFailure() << actual.size() << " rows, expected " << expected.size() << "; the first " << common
                                         << " agree; first " << (more ? "extra" : "missing") << " row: "
                                         << (more ? actual[common] : expected[common]);
  }
  return ::testing::AssertionSuccess();
}

/// Every query over `events` against the sample's expected/q<q>.csv.
void expect_sample_outputs(const std::string& sample, const std::vector<nx::event>& events) {
  for (int q = 0; q < nx::query_count; ++q) {
    SCOPED_TRACE("sample " + sample + ", q" + std::to_string(q));
    const auto expected = read_lines(streamweave::testing::nexmark_sample_path(sample, "expected/q" + std::to_string(q) + ".csv"));
    EXPECT_TRUE(same_rows(sorted(nx::reference_rows(q, events)), expected));
  }
}

/// A Fisher-Yates shuffle whose result depends only on the seed (std::shuffle's does not).
void shuffle_events(std::vector<nx::event>& events, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (std::size_t i = events.size(); i > 1; --i) std::swap(events[i - 1], events[rng() % i]);
}

// Hand-made events: only the fields the queries read are set.
nx::bid make_bid(std::int64_t auction, std::int64_t price, std::int64_t t, std::int64_t bidder = 7) {
  return {.auction = auction, .bidder = bidder, .price = price, .channel = "Google", .url = "u", .date_time = t, .extra = "x"};
}
nx::auction make_auction(std::int64_t id, std::int64_t seller, std::int64_t category, std::int64_t t, std::int64_t expires) {
  nx::auction a;
  a.id = id;
  a.date_time = t;
  a.expires = expires;
  a.seller = seller;
  a.category = category;
  return a;
}
nx::person make_person(std::int64_t id, std::string name, std::string state, std::int64_t t) {
  nx::person p;
  p.id = id;
  p.name = std::move(name);
  p.city = "Boise";
  p.state = std::move(state);
  p.date_time = t;
  return p;
}

std::vector<std::string> rows_of(int q, const std::vector<nx::event>& events) { return sorted(nx::reference_rows(q, events)); }

// ---------------------------------------------------------------------------------------------
// The samples.

class ReferenceQueriesSample : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceQueriesSample, EveryQueryMatchesTheExpectedFiles) {
  STREAMWEAVE_SKIP_WITHOUT_NEXMARK_SAMPLES();
  const nx::csv_contents contents = nx::read_file(streamweave::testing::nexmark_sample_path(GetParam(), "events.csv"));
  expect_sample_outputs(GetParam(), contents.events);
}

INSTANTIATE_TEST_SUITE_P(Samples, ReferenceQueriesSample, ::testing::Values("tiny", "small-ooo"),
                         [](const auto& info) { return info.param == "tiny" ? std::string("tiny") : std::string("small_ooo"); });

TEST(ReferenceQueries, ResultsDoNotDependOnEventOrder) {
  STREAMWEAVE_SKIP_WITHOUT_NEXMARK_SAMPLES();
  nx::csv_contents contents = nx::read_file(streamweave::testing::nexmark_sample_path("small-ooo", "events.csv"));
  const std::uint64_t seed = streamweave::testing::seed_for(0, 4242);
  std::printf("shuffling small-ooo with %s\n", streamweave::testing::seed_note(seed).c_str());
  SCOPED_TRACE(streamweave::testing::seed_note(seed));
  shuffle_events(contents.events, seed);
  expect_sample_outputs("small-ooo", contents.events);
}

TEST(ReferenceQueries, RejectsAQueryOutsideZeroToEight) {
  const std::vector<nx::event> events;
  for (const int q : {-1, 9}) {
    try {
      nx::reference_rows(q, events);
      ADD_FAILURE() << "query " << q << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::to_string(q)), std::string::npos) << e.what();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Edge cases.

TEST(ReferenceQueries, Q1ConvertsNegativeAndExtremePricesExactly) {
  const std::vector<std::pair<std::int64_t, std::string>> cases{
      {0, "0.000"},
      {1, "0.908"},
      {-1, "-0.908"},
      {-1000, "-908.000"},
      {-1001, "-908.908"},
      {-12345, "-11209.260"},
      {int64_max, "8374821809464136432.756"},
      {std::numeric_limits<std::int64_t>::min(), "-8374821809464136433.664"},
  };
  for (const auto& [price, eur] : cases) {
    const std::vector<nx::event> events{make_bid(5, price, 100)};
    EXPECT_EQ(nx::reference_rows(1, events), std::vector<std::string>{"5,7," + eur + ",100,x"}) << "price " << price;
  }
}

TEST(ReferenceQueries, Q5AssignsNegativeTimesToHopWindowsByFloorMod) {
  // t = -1 lies in the windows starting at -10000 ... -2000 (not in [0,10000)); t = 0 lies in
  // those starting at -8000 ... 0 (not in [-10000,0), whose end is exclusive).
  const std::vector<nx::event> events{make_bid(1, 10, -1), make_bid(2, 10, 0)};
  EXPECT_TRUE(same_rows(rows_of(5, events), sorted({
                                                "-10000,0,1,1",
                                                "-8000,2000,1,1",
                                                "-8000,2000,2,1",
                                                "-6000,4000,1,1",
                                                "-6000,4000,2,1",
                                                "-4000,6000,1,1",
                                                "-4000,6000,2,1",
                                                "-2000,8000,1,1",
                                                "-2000,8000,2,1",
                                                "0,10000,2,1",
                                            })));
}

TEST(ReferenceQueries, Q7AssignsNegativeTimesToTumbleWindowsAndKeepsDuplicateRows) {
  const std::vector<nx::event> events{
      make_bid(1, 5, -1),      make_bid(1, 5, -1),  // the same bid twice: two rows (a multiset)
      make_bid(2, 5, -10000),                       // window start, tied at the max
      make_bid(3, 4, -5000),                        // below the max of [-10000,0)
      make_bid(4, 1, -10001),                       // alone in [-20000,-10000)
      make_bid(5, 2, 0),                            // [0,10000)
  };
  EXPECT_TRUE(same_rows(rows_of(7, events), sorted({
                                                "-10000,0,1,7,5,-1",
                                                "-10000,0,1,7,5,-1",
                                                "-10000,0,2,7,5,-10000",
                                                "-20000,-10000,4,7,1,-10001",
                                                "0,10000,5,7,2,0",
                                            })));
}

TEST(ReferenceQueries, Q8MatchesInNegativeWindowsOncePerPerson) {
  const std::vector<nx::event> events{
      make_person(1, "Neg Ative", "WA", -1),
      make_auction(10, 1, 11, -10000, 5),  // same window [-10000,0) as the person
      make_auction(11, 1, 11, -5, 5),      // same window again: no second row
      make_auction(12, 1, 11, 0, 5),       // the next window: no match
  };
  EXPECT_TRUE(same_rows(rows_of(8, events), {"-10000,0,1,Neg Ative"}));
}

TEST(ReferenceQueries, Q4TruncatesTowardZeroAndSumsWithoutOverflow) {
  const std::vector<nx::event> events{
      // Category 10: finals -7 and 0, (-7 + 0) / 2 = -3.5 -> -3 (not -4).
      make_auction(1, 100, 10, 0, 100), make_bid(1, -7, 50), make_bid(1, -100, 101),  // the second bid is after expires
      make_auction(2, 100, 10, 0, 100), make_bid(2, 0, 0),
      // Category 11: finals 7 (the max of 2 and 7; the bid at expires counts) and 0 -> 3.
      make_auction(3, 100, 11, 0, 100), make_bid(3, 2, 20), make_bid(3, 7, 100),
      make_auction(4, 100, 11, 0, 100), make_bid(4, 0, 10),
      // Category 12: the only bid is before date_time, so the category has no row.
      make_auction(5, 100, 12, 10, 100), make_bid(5, 9, 9),
      // Category 13: (3 * max - 1) / 3 needs more than 64 bits for the sum.
      make_auction(6, 100, 13, 0, 100), make_bid(6, int64_max, 1),
      make_auction(7, 100, 13, 0, 100), make_bid(7, int64_max, 1),
      make_auction(8, 100, 13, 0, 100), make_bid(8, int64_max - 1, 1),
      // A bid on an auction that is not in the input is ignored.
      make_bid(99, 1000, 50),
  };
  EXPECT_TRUE(same_rows(rows_of(4, events), {"10,-3", "11,3", "13,9223372036854775806"}));
}

TEST(ReferenceQueries, Q6AveragesTheLastTenClosedAuctionsOfASeller) {
  // Seller 42 closes 12 auctions, k = 1..12: id 4000 - k (ids fall while expires rises, so
  // the order is by expires), expires 10000 + 1000 k, final price 1000 for k = 1, else k.
  std::vector<nx::event> events;
  for (std::int64_t k = 1; k <= 12; ++k) {
    const std::int64_t expires = 10'000 + 1'000 * k;
    events.emplace_back(make_auction(4000 - k, 42, 10, 0, expires));
    events.emplace_back(make_bid(4000 - k, k == 1 ? 1000 : k, expires));
  }
  events.emplace_back(make_auction(3000, 42, 10, 0, 100));  // its only bid is late: it never closes
  events.emplace_back(make_bid(3000, 5000, 101));
  std::reverse(events.begin(), events.end());
  // Running sums 1000, 1002, 1005, 1009, 1014, 1020, 1027, 1035, 1044, 1054; then the last 10
  // drop the 1000: 2 + ... + 11 = 65 -> 6 (a window of 11 would give 1065 / 11 = 96), and
  // 3 + ... + 12 = 75 -> 7.
  EXPECT_TRUE(same_rows(rows_of(6, events), sorted({
                                                "42,11000,3999,1000",
                                                "42,12000,3998,501",
                                                "42,13000,3997,335",
                                                "42,14000,3996,252",
                                                "42,15000,3995,202",
                                                "42,16000,3994,170",
                                                "42,17000,3993,146",
                                                "42,18000,3992,129",
                                                "42,19000,3991,116",
                                                "42,20000,3990,105",
                                                "42,21000,3989,6",
                                                "42,22000,3988,7",
                                            })));
}

TEST(ReferenceQueries, Q6BreaksExpiresTiesByAuctionId) {
  const std::vector<nx::event> events{
      make_auction(7, 9, 10, 0, 500), make_bid(7, 100, 500),
      make_auction(5, 9, 10, 0, 500), make_bid(5, 300, 500),
  };
  // Auction 5 comes first: 300, then (300 + 100) / 2 = 200.
  EXPECT_TRUE(same_rows(rows_of(6, events), {"9,500,5,300", "9,500,7,200"}));
}

}  // namespace
