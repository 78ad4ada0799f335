// NEXMark Q2, selection: the bids on every 123rd auction.
//   SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
#include "queries.hpp"

#include "nexmark/csv_format.hpp"

#include <utility>

namespace streamweave::nexmark {

stream<std::string> q2_selection(const stream<event>& events, std::size_t) {
  using auction_price = std::pair<std::int64_t, std::int64_t>;
  return select<bid>(events, [](const bid& b) { return auction_price{b.auction, b.price}; })
      .filter([](const auction_price& b) { return b.first % 123 == 0; })
      .map([](const auction_price& b) { return csv_row(b.first, b.second); });
}

}  // namespace streamweave::nexmark
