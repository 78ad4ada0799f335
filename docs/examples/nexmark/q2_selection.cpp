// NEXMark Q2, selection: the bids on every 123rd auction.
//   SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
#include "queries.hpp"

#include "nexmark/csv_format.hpp"

namespace streamweave::nexmark {

stream<std::string> q2_selection(const stream<event>& events, std::size_t) {
  return kind<bid>(events)
      .filter([](const bid& b) { return b.auction % 123 == 0; })
      .map([](const bid& b) { return csv_row(b.auction, b.price); });
}

}  // namespace streamweave::nexmark
