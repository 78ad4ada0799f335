// NEXMark Q0, pass-through: every bid, unchanged. Measures the source and the runtime.
//   SELECT auction, bidder, price, channel, url, date_time, extra FROM bid;
#include "queries.hpp"

#include "nexmark/csv_format.hpp"

namespace streamweave::nexmark {

stream<std::string> q0_passthrough(const stream<event>& events, std::size_t) {
  return select<bid>(events, [](const bid& b) {
    std::string row;
    append_bid_fields(row, b);
    return row;
  });
}

}  // namespace streamweave::nexmark
