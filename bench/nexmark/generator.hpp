#pragma once
// The NEXMark event generator: the rules of the standard (Beam/Flink) generator, described in
// docs/nexmark.md §2, with StreamWeave's own PRNG.
//
// * Event n's kind comes from n alone (with proportions 1:3:46, n % 50 == 0 is a person, 1..3
//   an auction, the rest bids) and so do its time, `base_time + floor(n * 1000 / rate)`, its
//   id, and the ids it may refer to (hot sellers, bidders and auctions, in-flight auctions,
//   active people; references at most 10 ids ahead).
// * Every random choice of event n is drawn from a SplitMix64 stream seeded by (seed, n), so
//   `at(n)` is a pure function: partitions generate any slice of event numbers on their own
//   and a whole run is reproducible from the seed. Strings are cut from 1 MiB character pools
//   built once from a fixed seed, as are the channel and URL tables.
// * The values differ from Beam's, Flink's and the Python sample generator's (other PRNG);
//   the distributions and id/time rules are the same.
//
// Thread safety: `at` and the other const members may be called from any number of threads.
#include "event.hpp"

#include <cstdint>
#include <iosfwd>
#include <string>

namespace streamweave::nexmark {

struct generator_config {
  std::uint64_t seed = 42;
  std::uint64_t rate = 10'000;                 ///< events per second of event time, > 0
  std::int64_t base_time = 1'436'918'400'000;  ///< 2015-07-15T00:00:00Z, as in Beam
  std::uint32_t person_proportion = 1;
  std::uint32_t auction_proportion = 3;
  std::uint32_t bid_proportion = 46;
  std::uint32_t hot_sellers_ratio = 4;   ///< 1 - 1/4 of auctions are by the hot seller
  std::uint32_t hot_auctions_ratio = 2;  ///< 1 - 1/2 of bids are on the hot auction
  std::uint32_t hot_bidders_ratio = 4;   ///< 1 - 1/4 of bids are by the hot bidder
  std::uint32_t in_flight_auctions = 100;
  std::uint32_t active_people = 1000;
  std::uint32_t avg_person_bytes = 200;
  std::uint32_t avg_auction_bytes = 500;
  std::uint32_t avg_bid_bytes = 100;
  bool extra = true;  ///< false leaves every `extra` field empty (`--no-extra`)
};

enum class event_kind { person, auction, bid };

class generator {
 public:
  /// Throws std::invalid_argument for a zero rate, zero proportions in total, or zero ratios.
  explicit generator(generator_config config);
  const generator_config& config() const noexcept { return config_; }
  /// Event number n; depends on the configuration and n only.
  event at(std::uint64_t n) const;
  event_kind kind_of(std::uint64_t n) const noexcept;
  /// The event time of event n.
  std::int64_t time_of(std::uint64_t n) const noexcept;

 private:
  std::int64_t last_person(std::uint64_t n) const noexcept;   // base 0
  std::int64_t last_auction(std::uint64_t n) const noexcept;  // base 0, -1 before the first
  generator_config config_;
  std::uint64_t total_;
};

/// How the file writer puts events out of order, as the sample generator does.
struct disorder_config {
  std::int64_t max_delay_ms = 0;    ///< K: a delayed event is written 1..K ms of event time later
  double delay_prob = 0.0;          ///< probability that an eligible event is delayed
  bool delay_bids_only = false;     ///< `--delay-kinds B` (else PAB: every kind)
  std::uint64_t watermark_every = 0;  ///< a `W,<max_seen - K>` line after every M event lines; 0: none
};

/// Writes events [0, count) as `nexmark-csv v1`: a header comment with the configuration, then
/// the lines in order of (date_time + delay, n). Delays come from their own random stream, so
/// the events are those of the in-order file. Throws std::invalid_argument for a negative
/// delay, a probability outside [0, 1], or a delay probability without a delay.
void write_csv(const generator& gen, std::uint64_t count, const disorder_config& disorder, std::ostream& out);

/// What `--help` says about the generator (the rules above), one paragraph.
std::string generator_description();

}  // namespace streamweave::nexmark
