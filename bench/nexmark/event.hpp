#pragma once
// The NEXMark event model (../docs of the benchmark: an online auction with three record
// kinds). All times are int64 milliseconds since the Unix epoch, UTC. Plain values: no
// invariants beyond what the `nexmark-csv v1` reader checks (see csv_reader.hpp).
#include <cstdint>
#include <string>
#include <variant>

namespace streamweave::nexmark {

/// A new user registers.
struct person {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::string credit_card;
  std::string city;
  std::string state;
  std::int64_t date_time = 0;
  std::string extra;
  friend bool operator==(const person&, const person&) = default;
};

/// A person puts an item up for auction; it is open over [date_time, expires], both inclusive.
struct auction {
  std::int64_t id = 0;
  std::string item_name;
  std::string description;
  std::int64_t initial_bid = 0;
  std::int64_t reserve = 0;
  std::int64_t date_time = 0;
  std::int64_t expires = 0;
  std::int64_t seller = 0;
  std::int64_t category = 0;
  std::string extra;
  friend bool operator==(const auction&, const auction&) = default;
};

/// A person bids on an auction.
struct bid {
  std::int64_t auction = 0;
  std::int64_t bidder = 0;
  std::int64_t price = 0;
  std::string channel;
  std::string url;
  std::int64_t date_time = 0;
  std::string extra;
  friend bool operator==(const bid&, const bid&) = default;
};

using event = std::variant<person, auction, bid>;

/// The event time of any event.
inline std::int64_t event_time(const event& e) {
  return std::visit([](const auto& v) { return v.date_time; }, e);
}

}  // namespace streamweave::nexmark
