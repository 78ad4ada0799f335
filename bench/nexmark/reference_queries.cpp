// The sequential NEXMark oracle: each query computes its final result from the whole input,
// following docs/nexmark.md §4 (time and windows) and §5 (query semantics) literally.
#include "reference_queries.hpp"

#include "csv_format.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace streamweave::nexmark {
namespace {

__extension__ typedef __int128 int128;  // exact sums of int64 prices

// The constants of §5 ("Quick reference of constants").
constexpr std::int64_t window_size_ms = 10'000;  // Q5, Q7, Q8
constexpr std::int64_t hop_slide_ms = 2'000;     // Q5
constexpr std::int64_t q2_modulus = 123;
constexpr std::int64_t q3_category = 10;
constexpr std::array<std::string_view, 3> q3_states{"OR", "ID", "CA"};
constexpr std::size_t q6_last_n = 10;

static_assert(window_size_ms % hop_slide_ms == 0, "every HOP window start is a multiple of the slide");

// ---------------------------------------------------------------------------------------------
// Input selection.

/// The records of kind T among `events`, in input order.
template <class T>
std::vector<const T*> records_of(std::span<const event> events) {
  std::vector<const T*> out;
  for (const event& e : events) {
    if (const T* r = std::get_if<T>(&e)) out.push_back(r);
  }
  return out;
}

/// The records of kind T (person or auction) by id. Ids are unique in a valid file (the reader
/// rejects duplicates); a duplicate here would make results depend on input order, so it throws.
template <class T>
std::unordered_map<std::int64_t, const T*> index_by_id(std::span<const event> events, const char* kind) {
  std::unordered_map<std::int64_t, const T*> out;
  for (const T* r : records_of<T>(events)) {
    if (!out.emplace(r->id, r).second) {
      throw std::invalid_argument(std::string("reference_rows: duplicate ") + kind + " id " + std::to_string(r->id));
    }
  }
  return out;
}

/// The record with this id, or nullptr.
template <class T>
const T* find_by_id(const std::unordered_map<std::int64_t, const T*>& index, std::int64_t id) {
  const auto it = index.find(id);
  return it == index.end() ? nullptr : it->second;
}

/// Q1's price text (csv_format.hpp).
std::string euro_text(std::int64_t price) {
  std::string out;
  append_euro(out, price);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Windows (§4): half-open [start, end), aligned to epoch 0.

struct window {
  std::int64_t start = 0;
  std::int64_t end = 0;
  friend auto operator<=>(const window&, const window&) = default;
};

/// t mod m in [0, m) also for negative t (C++'s % truncates toward zero).
std::int64_t floor_mod(std::int64_t t, std::int64_t m) {
  const std::int64_t r = t % m;
  return r < 0 ? r + m : r;
}

/// Every window holding t lies within one window size of t; keep those bounds representable.
void check_window_range(std::int64_t t) {
  constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min() + window_size_ms;
  constexpr std::int64_t hi = std::numeric_limits<std::int64_t>::max() - window_size_ms;
  if (t < lo || t > hi) {
    throw std::out_of_range("reference_rows: event time " + std::to_string(t) + " is too close to the int64 limits for its windows");
  }
}

/// The TUMBLE window of size 10 s holding t: it starts at t - floormod(t, 10000).
window tumble_window(std::int64_t t) {
  check_window_range(t);
  const std::int64_t start = t - floor_mod(t, window_size_ms);
  return {start, start + window_size_ms};
}

/// The HOP windows (size 10 s, slide 2 s) holding t: the five starts s that are multiples of
/// 2000 with t - 10000 < s <= t.
std::vector<window> hop_windows(std::int64_t t) {
  check_window_range(t);
  const std::int64_t latest = t - floor_mod(t, hop_slide_ms);
  std::vector<window> out;
  for (std::int64_t k = 0; k < window_size_ms / hop_slide_ms; ++k) {
    const std::int64_t start = latest - k * hop_slide_ms;
    out.push_back({start, start + window_size_ms});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The core shared by Q4 and Q6: auctions that close with a winning price.

/// A valid bid for auction a: B.auction = A.id and A.date_time <= B.date_time <= A.expires
/// (both ends inclusive, SQL BETWEEN). No reserve check (Flink semantics, §8).
bool is_valid_bid(const bid& b, const auction& a) {
  return b.auction == a.id && a.date_time <= b.date_time && b.date_time <= a.expires;
}

/// An auction with at least one valid bid; final_price = max(price) over its valid bids.
struct closed_auction {
  const auction* a = nullptr;
  std::int64_t final_price = 0;
};

/// Every auction with at least one valid bid, with its final price. Bids on auctions that are
/// not in the input are ignored. Ordered by auction id.
std::vector<closed_auction> closed_auctions(std::span<const event> events) {
  const auto auctions = index_by_id<auction>(events, "auction");
  std::map<std::int64_t, closed_auction> by_id;
  for (const bid* b : records_of<bid>(events)) {
    const auction* a = find_by_id(auctions, b->auction);
    if (a == nullptr || !is_valid_bid(*b, *a)) continue;
    const auto [it, inserted] = by_id.try_emplace(a->id, closed_auction{a, b->price});
    if (!inserted) it->second.final_price = std::max(it->second.final_price, b->price);
  }
  std::vector<closed_auction> out;
  for (const auto& [id, c] : by_id) out.push_back(c);
  return out;
}

/// (Σ values) div count, truncated toward zero (C++ integer division), the sum in int128 so it
/// cannot overflow. The result lies between min and max of the values, so it fits in int64.
std::int64_t truncated_average(std::span<const std::int64_t> values) {
  int128 sum = 0;
  for (const std::int64_t v : values) sum += v;
  return static_cast<std::int64_t>(sum / static_cast<int128>(values.size()));
}

/// The keys of the non-empty `counts` whose count equals the largest count (all ties).
template <class Key, class Count>
std::vector<Key> keys_at_max(const std::map<Key, Count>& counts) {
  Count best = counts.begin()->second;
  for (const auto& [key, c] : counts) best = std::max(best, c);
  std::vector<Key> out;
  for (const auto& [key, c] : counts) {
    if (c == best) out.push_back(key);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The queries.

/// Q0 pass-through: every bid, as its `B` line without the `B,` tag.
std::vector<std::string> reference_q0(std::span<const event> events) {
  std::vector<std::string> rows;
  for (const bid* b : records_of<bid>(events)) {
    std::string row;
    append_bid_fields(row, *b);
    rows.push_back(std::move(row));
  }
  return rows;
}

/// Q1 currency conversion: every bid as `auction,bidder,price_eur,date_time,extra`, with
/// price_eur = 0.908 * price exactly, three fraction digits.
std::vector<std::string> reference_q1(std::span<const event> events) {
  std::vector<std::string> rows;
  for (const bid* b : records_of<bid>(events)) {
    rows.push_back(csv_row(b->auction, b->bidder, euro_text(b->price), b->date_time, b->extra));
  }
  return rows;
}

/// Q2 selection: bids with auction % 123 == 0, as `auction,price`.
std::vector<std::string> reference_q2(std::span<const event> events) {
  std::vector<std::string> rows;
  for (const bid* b : records_of<bid>(events)) {
    if (b->auction % q2_modulus == 0) rows.push_back(csv_row(b->auction, b->price));
  }
  return rows;
}

/// Q3 local item suggestion: the unwindowed inner join of auctions with category 10 and persons
/// with state OR, ID or CA on A.seller = P.id, every matching pair once, as
/// `name,city,state,auction_id`. No time condition: either side may come first.
std::vector<std::string> reference_q3(std::span<const event> events) {
  const auto persons = index_by_id<person>(events, "person");
  std::vector<std::string> rows;
  for (const auction* a : records_of<auction>(events)) {
    if (a->category != q3_category) continue;
    const person* p = find_by_id(persons, a->seller);
    if (p == nullptr || std::find(q3_states.begin(), q3_states.end(), p->state) == q3_states.end()) continue;
    rows.push_back(csv_row(p->name, p->city, p->state, a->id));
  }
  return rows;
}

/// Q4 average closing price per category: over the auctions with at least one valid bid,
/// (Σ final) div count per category, truncated toward zero, as `category,avg_final`. Only the
/// final value per category.
std::vector<std::string> reference_q4(std::span<const event> events) {
  std::map<std::int64_t, std::vector<std::int64_t>> finals_by_category;
  for (const closed_auction& c : closed_auctions(events)) finals_by_category[c.a->category].push_back(c.final_price);
  std::vector<std::string> rows;
  for (const auto& [category, finals] : finals_by_category) rows.push_back(csv_row(category, truncated_average(finals)));
  return rows;
}

/// Q5 hot items: HOP windows of 10 s sliding by 2 s over all bids (their auction need not
/// exist); per window, count bids per auction and output every auction whose count equals the
/// window's maximum (ties give several rows), as `window_start,window_end,auction,num`.
std::vector<std::string> reference_q5(std::span<const event> events) {
  std::map<window, std::map<std::int64_t, std::int64_t>> counts;  // window -> auction -> bids
  for (const bid* b : records_of<bid>(events)) {
    for (const window& w : hop_windows(b->date_time)) ++counts[w][b->auction];
  }
  std::vector<std::string> rows;
  for (const auto& [w, per_auction] : counts) {
    for (const std::int64_t auction_id : keys_at_max(per_auction)) {
      rows.push_back(csv_row(w.start, w.end, auction_id, per_auction.at(auction_id)));
    }
  }
  return rows;
}

/// Q6 average selling price by seller: per seller, the auctions with at least one valid bid
/// ordered by (expires, auction id); for the k-th, the truncated average of the final prices of
/// the last 10 of them up to and including it (fewer at the start), as
/// `seller,expires,auction,avg_price`.
std::vector<std::string> reference_q6(std::span<const event> events) {
  std::map<std::int64_t, std::vector<closed_auction>> by_seller;
  for (const closed_auction& c : closed_auctions(events)) by_seller[c.a->seller].push_back(c);
  std::vector<std::string> rows;
  for (auto& [seller, closed] : by_seller) {
    std::sort(closed.begin(), closed.end(), [](const closed_auction& x, const closed_auction& y) {
      return std::tie(x.a->expires, x.a->id) < std::tie(y.a->expires, y.a->id);
    });
    std::vector<std::int64_t> finals;
    for (const closed_auction& c : closed) finals.push_back(c.final_price);
    for (std::size_t k = 0; k < closed.size(); ++k) {
      const std::size_t first = k + 1 >= q6_last_n ? k + 1 - q6_last_n : 0;
      const std::span<const std::int64_t> last_n(finals.data() + first, k + 1 - first);
      rows.push_back(csv_row(seller, closed[k].a->expires, closed[k].a->id, truncated_average(last_n)));
    }
  }
  return rows;
}

/// Q7 highest bid: TUMBLE windows of 10 s over all bids; every bid whose price equals its
/// window's maximum (ties give several rows; a multiset), as
/// `window_start,window_end,auction,bidder,price,date_time`.
std::vector<std::string> reference_q7(std::span<const event> events) {
  const std::vector<const bid*> bids = records_of<bid>(events);
  std::map<window, std::int64_t> max_price;
  for (const bid* b : bids) {
    const auto [it, inserted] = max_price.try_emplace(tumble_window(b->date_time), b->price);
    if (!inserted) it->second = std::max(it->second, b->price);
  }
  std::vector<std::string> rows;
  for (const bid* b : bids) {
    const window w = tumble_window(b->date_time);
    if (b->price == max_price.at(w)) rows.push_back(csv_row(w.start, w.end, b->auction, b->bidder, b->price, b->date_time));
  }
  return rows;
}

/// Q8 monitor new users: TUMBLE windows of 10 s; person P and auction A match when
/// A.seller = P.id and P.date_time, A.date_time lie in the same window. Each matching
/// (window, person) once, as `window_start,window_end,person_id,name`.
std::vector<std::string> reference_q8(std::span<const event> events) {
  const auto persons = index_by_id<person>(events, "person");
  std::map<std::pair<window, std::int64_t>, const person*> matches;  // (window, person id) -> person
  for (const auction* a : records_of<auction>(events)) {
    const person* p = find_by_id(persons, a->seller);
    if (p == nullptr) continue;
    const window w = tumble_window(a->date_time);
    if (tumble_window(p->date_time) == w) matches.try_emplace({w, p->id}, p);
  }
  std::vector<std::string> rows;
  for (const auto& [key, p] : matches) rows.push_back(csv_row(key.first.start, key.first.end, p->id, p->name));
  return rows;
}

std::vector<std::string> reference_rows(int q, std::span<const event> events) {
  using query_fn = std::vector<std::string> (*)(std::span<const event>);
  static constexpr std::array<query_fn, query_count> queries{reference_q0, reference_q1, reference_q2, reference_q3, reference_q4,
                                                             reference_q5, reference_q6, reference_q7, reference_q8};
  if (q < 0 || q >= query_count) {
    throw std::invalid_argument("reference_rows: query " + std::to_string(q) + " is outside 0.." + std::to_string(query_count - 1));
  }
  return queries[static_cast<std::size_t>(q)](events);
}

}  // namespace streamweave::nexmark
