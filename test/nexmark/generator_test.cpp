// The NEXMark generator (bench/nexmark/generator.hpp): events are a pure function of (config, n);
// kinds, ids, times and references follow the standard generator's rules; the distributions land
// where the spec says; and an out-of-order file with `W` lines keeps every promise the reader
// checks while holding exactly the in-order events, so every query gives the same rows. Seeds
// are printed; replay with STREAMWEAVE_SEED=<seed>.
#include "nexmark/csv_reader.hpp"
#include "nexmark/generator.hpp"
#include "nexmark/reference_queries.hpp"
#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace nx = streamweave::nexmark;

namespace {

std::vector<nx::event> in_order(const nx::generator& g, std::uint64_t count) {
  std::vector<nx::event> out;
  out.reserve(count);
  for (std::uint64_t n = 0; n < count; ++n) out.push_back(g.at(n));
  return out;
}

nx::csv_contents written_and_read(const nx::generator& g, std::uint64_t count, const nx::disorder_config& d) {
  std::stringstream s;
  nx::write_csv(g, count, d, s);
  return nx::read_all(s, "generated");
}

std::int64_t id_of(const nx::event& e) {
  if (const auto* p = std::get_if<nx::person>(&e)) return p->id;
  if (const auto* a = std::get_if<nx::auction>(&e)) return a->id;
  return -1;
}

}  // namespace

TEST(NexmarkGenerator, EventsArePureFunctionsOfSeedAndNumberWhateverTheThreadOrOrder) {
  nx::generator_config c;
  c.seed = 11;
  const nx::generator g(c);
  const std::vector<nx::event> reference = in_order(g, 5000);
  EXPECT_EQ(in_order(nx::generator(c), 5000), reference) << "a second generator with the same seed differs";
  // Two threads generate interleaved slices, in reverse.
  std::vector<nx::event> sliced(reference.size());
  std::vector<std::thread> threads;
  for (std::uint64_t part = 0; part < 2; ++part)
    threads.emplace_back([&, part] {
      for (std::uint64_t n = sliced.size(); n-- > 0;)
        if (n % 2 == part) sliced[n] = g.at(n);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(sliced, reference);
  c.seed = 12;
  EXPECT_NE(in_order(nx::generator(c), 5000), reference) << "the seed changes nothing";
}

TEST(NexmarkGenerator, KindsIdsAndTimesComeFromTheEventNumber) {
  nx::generator_config c;
  c.rate = 3000;  // 1000/3 ms per event: times are floors
  const nx::generator g(c);
  for (std::uint64_t n = 0; n < 1000; ++n) {
    const nx::event e = g.at(n);
    const std::uint64_t r = n % 50;
    const auto t = static_cast<std::int64_t>(n * 1000 / 3000);
    EXPECT_EQ(nx::event_time(e), c.base_time + t) << "n=" << n;
    if (r == 0) {
      ASSERT_TRUE(std::holds_alternative<nx::person>(e)) << "n=" << n;
      EXPECT_EQ(id_of(e), static_cast<std::int64_t>(1000 + n / 50));
    } else if (r <= 3) {
      ASSERT_TRUE(std::holds_alternative<nx::auction>(e)) << "n=" << n;
      EXPECT_EQ(id_of(e), static_cast<std::int64_t>(1000 + 3 * (n / 50) + (r - 1)));
    } else {
      ASSERT_TRUE(std::holds_alternative<nx::bid>(e)) << "n=" << n;
    }
  }
}

TEST(NexmarkGenerator, ReferencesStayWithinTheLeadAndDistributionsMatchTheSpec) {
  nx::generator_config c;
  c.rate = 10'000;
  const nx::generator g(c);
  const std::vector<nx::event> events = in_order(g, 100'000);
  std::unordered_map<std::int64_t, const nx::auction*> auctions;
  std::int64_t newest_person = 0, newest_auction = 0;
  std::size_t bids = 0, valid = 0, hot_sellers = 0, auction_count = 0, named_channels = 0;
  std::unordered_map<std::int64_t, int> auctions_with_valid_bid;
  for (const nx::event& e : events) {
    if (const auto* p = std::get_if<nx::person>(&e)) newest_person = p->id;
    if (const auto* a = std::get_if<nx::auction>(&e)) {
      newest_auction = a->id;
      auctions[a->id] = a;
      ++auction_count;
      EXPECT_LE(a->seller, newest_person + 10) << "seller too far ahead";
      EXPECT_GE(a->category, 10);
      EXPECT_LE(a->category, 14);
      EXPECT_GT(a->expires, a->date_time);
      EXPECT_GE(a->reserve, a->initial_bid);
      hot_sellers += a->seller == 1000 + ((newest_person - 1000) / 100) * 100;
    }
    if (const auto* b = std::get_if<nx::bid>(&e)) {
      ++bids;
      EXPECT_LE(b->auction, newest_auction + 10) << "auction too far ahead";
      EXPECT_LE(b->bidder, newest_person + 10) << "bidder too far ahead";
      EXPECT_GE(b->price, 100);
      EXPECT_LE(b->price, 100'000'000);
      named_channels += b->channel.find("channel-") == std::string::npos;
      const auto it = auctions.find(b->auction);
      if (it != auctions.end() && b->date_time >= it->second->date_time && b->date_time <= it->second->expires) {
        ++valid;
        auctions_with_valid_bid[b->auction]++;
      }
    }
  }
  // The spec: about 71 % of bids fall inside their auction, about 93 % of auctions get such a
  // bid, 3/4 of sellers are hot, half the channels are named. Bounds leave room for the PRNG.
  const auto frac = [](std::size_t a, std::size_t b) { return static_cast<double>(a) / static_cast<double>(b); };
  EXPECT_NEAR(frac(valid, bids), 0.72, 0.06);
  EXPECT_NEAR(frac(auctions_with_valid_bid.size(), auction_count), 0.93, 0.04);
  EXPECT_NEAR(frac(hot_sellers, auction_count), 0.75, 0.03);
  EXPECT_NEAR(frac(named_channels, bids), 0.5, 0.02);
}

TEST(NexmarkGenerator, PaddingBringsEventsToTheSpecSizesAndNoExtraChangesNothingElse) {
  nx::generator_config c;
  const nx::generator padded(c);
  c.extra = false;
  const nx::generator bare(c);
  std::stringstream with, without;
  nx::write_csv(padded, 20'000, {}, with);
  nx::write_csv(bare, 20'000, {}, without);
  EXPECT_NEAR(static_cast<double>(with.str().size()) / 20'000, 198, 12);
  EXPECT_NEAR(static_cast<double>(without.str().size()) / 20'000, 110, 12);
  for (std::uint64_t n = 0; n < 2000; ++n) {
    nx::event e = padded.at(n);
    std::visit([](auto& v) { v.extra.clear(); }, e);
    ASSERT_EQ(e, bare.at(n)) << "n=" << n;
  }
}

TEST(NexmarkGenerator, OutOfOrderFilesKeepTheirPromisesAndHoldTheSameEvents) {
  for (const std::uint64_t seed : streamweave::testing::seeds(4100, 6)) {
    SCOPED_TRACE(streamweave::testing::seed_note(seed));
    std::mt19937_64 pick(seed);
    nx::generator_config c;
    c.seed = seed;
    c.rate = std::vector<std::uint64_t>{100, 1000, 10'000, 1'000'000}[pick() % 4];
    c.extra = false;
    const nx::generator g(c);
    nx::disorder_config d;
    d.max_delay_ms = 1 + static_cast<std::int64_t>(pick() % 5000);
    d.delay_prob = static_cast<double>(pick() % 51) / 100.0;
    d.delay_bids_only = pick() % 2 == 0;
    d.watermark_every = pick() % 2 == 0 ? 0 : 1 + pick() % 700;
    SCOPED_TRACE("rate=" + std::to_string(c.rate) + " K=" + std::to_string(d.max_delay_ms) +
                 " p=" + std::to_string(d.delay_prob) + " W every " + std::to_string(d.watermark_every));
    constexpr std::uint64_t count = 20'000;
    // read_all checks the header's max_delay_ms and every W line against later events.
    const nx::csv_contents ooo = written_and_read(g, count, d);
    ASSERT_EQ(ooo.max_delay_ms, d.max_delay_ms);
    if (d.watermark_every != 0) {
      EXPECT_EQ(ooo.watermarks.size(), count / d.watermark_every);
    }
    const std::vector<nx::event> ordered = in_order(g, count);
    ASSERT_EQ(ooo.events.size(), ordered.size());
    if (d.delay_prob >= 0.1) {
      EXPECT_NE(ooo.events, ordered) << "nothing was delayed";
    }
    for (const int q : {2, 3, 4, 5, 6, 7, 8}) {
      std::vector<std::string> a = nx::reference_rows(q, ooo.events);
      std::vector<std::string> b = nx::reference_rows(q, ordered);
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      EXPECT_EQ(a, b) << "q" << q << " differs between the out-of-order and the in-order file";
    }
  }
}

TEST(NexmarkGenerator, RejectsConfigurationsThatCannotWork) {
  nx::generator_config c;
  c.rate = 0;
  EXPECT_THROW(nx::generator{c}, std::invalid_argument);
  c = {};
  c.auction_proportion = 0;
  EXPECT_THROW(nx::generator{c}, std::invalid_argument);
  const nx::generator g(nx::generator_config{});
  std::stringstream s;
  nx::disorder_config d;
  d.delay_prob = 0.5;  // without a delay
  EXPECT_THROW(nx::write_csv(g, 10, d, s), std::invalid_argument);
  d.max_delay_ms = 10;
  d.delay_prob = 1.5;
  EXPECT_THROW(nx::write_csv(g, 10, d, s), std::invalid_argument);
}
