// NEXMark Q7, highest bid: per tumbling window of 10 s, every bid at the window's highest price.
//   SELECT window_start, window_end, B.auction, B.bidder, B.price, B.date_time
//   FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND)) B
//   WHERE B.price = (SELECT MAX(price) FROM <the same window>);
#include "queries.hpp"

#include "nexmark/csv_format.hpp"

namespace streamweave::nexmark {

namespace {
struct priced {
  std::int64_t auction, bidder, price, date_time;
};
struct windowed_bid {
  window w;
  priced b;
};
auto price_of(const windowed_bid& x) { return x.b.price; }
}  // namespace

stream<std::string> q7_highest_bid(const stream<event>& events, std::size_t parallelism) {
  // Partial maxima, spread over the instances by auction, then merged per window: the maximum
  // of the partial maxima, ties kept, is the window's maximum.
  auto partial = select<bid>(events, [](const bid& b) { return priced{b.auction, b.bidder, b.price, b.date_time}; })
                     .key_by([](const priced& b) { return b.auction; }, parallelism)
                     .window(tumbling_windows(10'000), event_time_of<priced>)
                     .aggregate("highest per auction", arg_max_by<priced>([](const priced& b) { return b.price; }));
  fail_on_late(partial.late, "q7");
  return partial.output
      .flat_map([](const window_result<std::int64_t, std::vector<priced>>& r) {
        std::vector<windowed_bid> out;
        for (const priced& b : r.value) out.push_back({r.window, b});
        return out;
      })
      .key_by([](const windowed_bid& x) { return x.w.start; }, parallelism)
      .aggregate("highest per window", arg_max_by<windowed_bid>(price_of))
      .flat_map([](const std::pair<timestamp, std::vector<windowed_bid>>& highest) {
        std::vector<std::string> rows;
        for (const auto& [w, b] : highest.second)
          rows.push_back(csv_row(static_cast<std::int64_t>(w.start), static_cast<std::int64_t>(w.end), b.auction, b.bidder, b.price,
                                 b.date_time));
        return rows;
      });
}

}  // namespace streamweave::nexmark
