// NEXMark Q1, currency conversion: every bid with its price in euros, exactly.
//   SELECT auction, bidder, 0.908 * price AS price_eur, date_time, extra FROM bid;
#include "queries.hpp"

#include "nexmark/csv_format.hpp"

namespace streamweave::nexmark {

stream<std::string> q1_currency_conversion(const stream<event>& events, std::size_t) {
  return select<bid>(events, [](const bid& b) {
    std::string euros;
    append_euro(euros, b.price);  // DECIMAL(23,3): three fraction digits, no rounding
    return csv_row(b.auction, b.bidder, euros, b.date_time, b.extra);
  });
}

}  // namespace streamweave::nexmark
