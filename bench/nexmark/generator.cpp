// The NEXMark event generator (rules in generator.hpp).
#include "generator.hpp"

#include "csv_format.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <ostream>
#include <queue>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace streamweave::nexmark {

namespace {

constexpr std::int64_t first_id = 1000;
constexpr std::int64_t id_lead = 10;  // references may point this many ids past the newest
constexpr std::uint64_t pool_bytes = 1u << 20;
constexpr std::uint64_t fixed_table_seed = 0x5eed'7ab1e5ULL;
constexpr std::uint64_t delay_stream_salt = 0xde1a'75a1'7000'0001ULL;

__extension__ typedef unsigned __int128 uint128;  // exact products of two 64-bit values

/// SplitMix64: the stream of one event's random choices.
class random_stream {
 public:
  explicit random_stream(std::uint64_t seed) : state_(seed) {}
  random_stream(std::uint64_t seed, std::uint64_t n) : state_(mix(seed ^ mix(n + 0x9e37'79b9'7f4a'7c15ULL))) {}
  std::uint64_t next() {
    state_ += 0x9e37'79b9'7f4a'7c15ULL;
    return mix(state_);
  }
  /// Uniform in [0, bound) for bound > 0 (multiply-shift; the bias is below 2^-32).
  std::uint64_t below(std::uint64_t bound) {
    return static_cast<std::uint64_t>((static_cast<uint128>(next()) * bound) >> 64);
  }
  /// Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// True with probability 1/ratio.
  bool one_in(std::uint32_t ratio) { return below(ratio) == 0; }

 private:
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58'476d'1ce4'e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d0'49bb'1331'11ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
};

constexpr std::array<std::string_view, 11> first_names{"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                                       "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
constexpr std::array<std::string_view, 9> last_names{"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                                     "Walton", "Smith",  "Jones",   "Noris"};
constexpr std::array<std::string_view, 10> cities{"Phoenix", "Los Angeles", "San Francisco", "Boise",   "Portland",
                                                  "Bend",    "Redmond",     "Seattle",       "Kent",    "Cheyenne"};
constexpr std::array<std::string_view, 6> states{"AZ", "CA", "ID", "OR", "WA", "WY"};
constexpr std::array<std::string_view, 4> named_channels{"Google", "Facebook", "Baidu", "Apple"};
constexpr std::uint64_t numbered_channels = 10'000;

/// Character pools and channel tables, built once from a fixed seed (never from --seed).
struct fixed_tables {
  std::string text;     // lowercase letters, a space with probability 1/13
  std::string letters;  // lowercase letters only
  std::array<std::string, named_channels.size()> named_urls;
  std::vector<std::string> numbered_urls;  // channel-i -> its URL

  fixed_tables() {
    random_stream r(fixed_table_seed);
    text.resize(pool_bytes);
    letters.resize(pool_bytes);
    for (char& c : text) c = r.below(13) == 0 ? ' ' : static_cast<char>('a' + r.below(26));
    for (char& c : letters) c = static_cast<char>('a' + r.below(26));
    for (auto& url : named_urls) url = make_url(r, std::nullopt);
    numbered_urls.reserve(numbered_channels);
    for (std::uint64_t i = 0; i < numbered_channels; ++i) numbered_urls.push_back(make_url(r, i));
  }

  /// `https://www.nexmark.com/<a>/<b>/<c>/item.htm?query=1[&channel_id=<bit-reversed i>]`,
  /// each segment 3-4 letters, some replaced by '_'.
  static std::string make_url(random_stream& r, std::optional<std::uint64_t> channel) {
    std::string url = "https://www.nexmark.com";
    for (int s = 0; s < 3; ++s) {
      url += '/';
      const std::uint64_t len = 3 + r.below(2);
      for (std::uint64_t k = 0; k < len; ++k) url += r.below(10) == 0 ? '_' : static_cast<char>('a' + r.below(26));
    }
    url += "/item.htm?query=1";
    if (channel) {
      std::uint32_t v = static_cast<std::uint32_t>(*channel), reversed = 0;
      for (int b = 0; b < 32; ++b, v >>= 1) reversed = (reversed << 1) | (v & 1u);
      url += "&channel_id=" + std::to_string(reversed);
    }
    return url;
  }
};

const fixed_tables& tables() {
  static const fixed_tables t;  // thread-safe initialisation
  return t;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

/// `nextString(max)`: 3 + uniform[0, max - 3) characters of the text pool, trimmed.
std::string next_string(random_stream& r, std::uint64_t max) {
  const std::uint64_t len = 3 + r.below(max - 3);
  return std::string(trim(std::string_view(tables().text).substr(r.below(pool_bytes - len), len)));
}

std::string letters(random_stream& r, std::uint64_t len) {
  return std::string(std::string_view(tables().letters).substr(r.below(pool_bytes - len), len));
}

/// Padding of want ± 20 % letters (nothing when padding is off or nothing is wanted).
std::string extra(random_stream& r, bool on, std::int64_t want) {
  if (!on || want <= 0) return {};
  const auto w = static_cast<std::uint64_t>(want);
  return letters(r, w - w / 5 + r.below(2 * (w / 5) + 1));
}

/// `round(10^(6u) * 100)`: log-uniform on 100 .. 100,000,000.
std::int64_t next_price(random_stream& r) { return std::llround(std::pow(10.0, 6.0 * r.unit()) * 100.0); }

/// The wanted padding: the average size less the other fields (8 bytes per integer).
std::int64_t padding(std::uint32_t average, std::size_t strings, std::size_t integers) {
  return static_cast<std::int64_t>(average) - static_cast<std::int64_t>(strings + 8 * integers);
}

}  // namespace

generator::generator(generator_config config) : config_(config) {
  total_ = std::uint64_t{config_.person_proportion} + config_.auction_proportion + config_.bid_proportion;
  if (config_.rate == 0) throw std::invalid_argument("nexmark generator: rate must be positive");
  if (config_.person_proportion == 0 || config_.auction_proportion == 0 || config_.bid_proportion == 0)
    throw std::invalid_argument("nexmark generator: every proportion must be positive");
  if (config_.hot_sellers_ratio == 0 || config_.hot_auctions_ratio == 0 || config_.hot_bidders_ratio == 0)
    throw std::invalid_argument("nexmark generator: hot ratios must be positive");
  if (config_.in_flight_auctions == 0 || config_.active_people == 0)
    throw std::invalid_argument("nexmark generator: in-flight auctions and active people must be positive");
  (void)tables();
}

event_kind generator::kind_of(std::uint64_t n) const noexcept {
  const std::uint64_t r = n % total_;
  if (r < config_.person_proportion) return event_kind::person;
  if (r < config_.person_proportion + config_.auction_proportion) return event_kind::auction;
  return event_kind::bid;
}

std::int64_t generator::time_of(std::uint64_t n) const noexcept {
  return config_.base_time + static_cast<std::int64_t>(static_cast<uint128>(n) * 1000 / config_.rate);
}

std::int64_t generator::last_person(std::uint64_t n) const noexcept {
  const std::uint64_t r = n % total_;
  return static_cast<std::int64_t>((n / total_) * config_.person_proportion +
                                   std::min<std::uint64_t>(r, config_.person_proportion - 1));
}

std::int64_t generator::last_auction(std::uint64_t n) const noexcept {
  const auto r = static_cast<std::int64_t>(n % total_);
  const std::int64_t in_block = std::clamp<std::int64_t>(r - config_.person_proportion, -1, config_.auction_proportion - 1);
  return static_cast<std::int64_t>(n / total_) * config_.auction_proportion + in_block;
}

event generator::at(std::uint64_t n) const {
  random_stream r(config_.seed, n);
  const std::int64_t t = time_of(n);
  const std::int64_t newest_person = last_person(n);
  // A random one of the last `active_people` people, or up to id_lead ahead of the newest.
  auto some_person = [&] {
    const std::int64_t people = newest_person + 1;
    const std::int64_t active = std::min<std::int64_t>(people, config_.active_people);
    return first_id + people - active + static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(active + id_lead)));
  };
  const std::int64_t hot_person = first_id + (newest_person / 100) * 100;
  switch (kind_of(n)) {
    case event_kind::person: {
      person p;
      p.id = first_id + newest_person;
      p.name = std::string(first_names[r.below(first_names.size())]) + " " + std::string(last_names[r.below(last_names.size())]);
      p.email = letters(r, 3 + r.below(4)) + "@" + letters(r, 3 + r.below(2)) + ".com";
      for (int g = 0; g < 4; ++g) {
        const std::string digits = std::to_string(10'000 + r.below(10'000));
        p.credit_card += (g ? " " : "") + digits.substr(1);
      }
      p.city = cities[r.below(cities.size())];
      p.state = states[r.below(states.size())];
      p.date_time = t;
      p.extra = extra(r, config_.extra,
                      padding(config_.avg_person_bytes, p.name.size() + p.email.size() + p.credit_card.size() + p.city.size() + p.state.size(), 2));
      return p;
    }
    case event_kind::auction: {
      auction a;
      a.id = first_id + last_auction(n);
      a.item_name = next_string(r, 20);
      a.description = next_string(r, 100);
      a.initial_bid = next_price(r);
      a.reserve = a.initial_bid + next_price(r);
      a.date_time = t;
      // Lifetime: about the time until `in_flight_auctions` more auctions have been made.
      const std::uint64_t ahead = std::uint64_t{config_.in_flight_auctions} * total_ / config_.auction_proportion;
      const std::int64_t h = time_of(n + ahead) - t;
      a.expires = t + 1 + static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(std::max<std::int64_t>(2 * h, 1))));
      a.seller = r.one_in(config_.hot_sellers_ratio) ? some_person() : hot_person;
      a.category = 10 + static_cast<std::int64_t>(r.below(5));
      a.extra = extra(r, config_.extra, padding(config_.avg_auction_bytes, a.item_name.size() + a.description.size(), 7));
      return a;
    }
    case event_kind::bid: {
      bid b;
      const std::int64_t newest_auction = std::max<std::int64_t>(last_auction(n), 0);
      if (r.one_in(config_.hot_auctions_ratio)) {
        const std::int64_t oldest = std::max<std::int64_t>(newest_auction - config_.in_flight_auctions, 0);
        b.auction = first_id + oldest + static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(newest_auction - oldest + 1 + id_lead)));
      } else {
        b.auction = first_id + (newest_auction / 100) * 100;
      }
      b.bidder = r.one_in(config_.hot_bidders_ratio) ? some_person() : hot_person + 1;
      b.price = next_price(r);
      if (r.below(2) == 0) {
        const std::size_t c = r.below(named_channels.size());
        b.channel = named_channels[c];
        b.url = tables().named_urls[c];
      } else {
        const std::uint64_t c = r.below(numbered_channels);
        b.channel = "channel-" + std::to_string(c);
        b.url = tables().numbered_urls[c];
      }
      b.date_time = t;
      // channel and url are not counted: Beam's bid, whose sizes the average follows, lacks them.
      b.extra = extra(r, config_.extra, padding(config_.avg_bid_bytes, 0, 4));
      return b;
    }
  }
  return {};  // unreachable: every kind returns above
}

void write_csv(const generator& gen, std::uint64_t count, const disorder_config& disorder, std::ostream& out) {
  if (disorder.max_delay_ms < 0) throw std::invalid_argument("nexmark write_csv: max_delay_ms must not be negative");
  if (!(disorder.delay_prob >= 0.0 && disorder.delay_prob <= 1.0))
    throw std::invalid_argument("nexmark write_csv: delay_prob must be within [0, 1]");
  if (disorder.delay_prob > 0.0 && disorder.max_delay_ms == 0)
    throw std::invalid_argument("nexmark write_csv: delay_prob > 0 needs max_delay_ms > 0");
  const generator_config& c = gen.config();
  out << "# nexmark-csv v1 generator=streamweave-nexmark seed=" << c.seed << " events=" << count << " rate=" << c.rate
      << " base_time=" << c.base_time << " proportions=" << c.person_proportion << ',' << c.auction_proportion << ','
      << c.bid_proportion << " max_delay_ms=" << disorder.max_delay_ms << " delay_prob=" << disorder.delay_prob
      << " delay_kinds=" << (disorder.delay_bids_only ? "B" : "PAB") << " watermark_every=" << disorder.watermark_every
      << " extra=" << (c.extra ? "yes" : "no") << '\n';

  // Lines wait in a heap ordered by (date_time + delay, n). Every later event has a key of at
  // least its own date_time, which is at least the current one, and a larger n; so whatever has
  // a key up to the current event's date_time can be written now.
  struct pending {
    std::int64_t key;
    std::uint64_t n;
    std::int64_t time;
    std::string line;
    bool operator>(const pending& o) const { return key != o.key ? key > o.key : n > o.n; }
  };
  std::priority_queue<pending, std::vector<pending>, std::greater<>> heap;
  std::optional<std::int64_t> max_seen;
  std::uint64_t written = 0;
  std::string watermark_line;
  auto write_until = [&](std::int64_t key_limit) {
    while (!heap.empty() && heap.top().key <= key_limit) {
      const pending& p = heap.top();
      out << p.line << '\n';
      if (!max_seen || p.time > *max_seen) max_seen = p.time;
      heap.pop();
      if (disorder.watermark_every != 0 && ++written % disorder.watermark_every == 0) {
        watermark_line.clear();
        append_watermark_line(watermark_line, *max_seen - disorder.max_delay_ms);
        out << watermark_line << '\n';
      }
    }
  };
  for (std::uint64_t n = 0; n < count; ++n) {
    event e = gen.at(n);
    const std::int64_t t = event_time(e);
    random_stream r(c.seed ^ delay_stream_salt, n);
    const bool eligible = !disorder.delay_bids_only || std::holds_alternative<bid>(e);
    const std::int64_t delay = eligible && r.unit() < disorder.delay_prob
                                   ? 1 + static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(disorder.max_delay_ms)))
                                   : 0;
    pending p{t + delay, n, t, {}};
    append_line(p.line, e);
    heap.push(std::move(p));
    write_until(t);
  }
  write_until(INT64_MAX);
}

std::string generator_description() {
  return "Events follow the standard NEXMark generator's rules (Beam/Flink): event n is a person, an auction "
         "or a bid by n modulo the proportions (default 1:3:46); its time is base_time + floor(n*1000/rate) ms; "
         "ids come from n (1000 + the person or auction count); sellers are the block's hot seller with "
         "probability 3/4, bids go to the hot auction with probability 1/2 and come from the hot bidder with "
         "probability 3/4, otherwise from the last 1000 active people or 100 in-flight auctions plus 10 ids of "
         "lead; prices are round(10^(6u)*100); auctions expire 1 + uniform[0, 2h) ms after opening, h being the "
         "time until 100 more auctions; strings are cut from fixed 1 MiB pools and `extra` pads persons, "
         "auctions and bids to about 200, 500 and 100 bytes. Random choices come from a SplitMix64 stream seeded "
         "by (seed, n), not Java's or Python's PRNG, so values differ from Beam's, Flink's and the Python sample "
         "generator's while the distributions and rules are the same. Out-of-order files delay an eligible event "
         "with probability p by 1..K ms of event time (a separate random stream, so the events stay identical) "
         "and write lines in order of (date_time + delay, n).";
}

}  // namespace streamweave::nexmark
