// NEXMark Q5, hot items: per sliding window of 10 s every 2 s, the auctions with the most bids
// (every one of them when several tie).
//   SELECT window_start, window_end, auction, num FROM (
//     SELECT auction, COUNT(*) AS num, window_start, window_end
//     FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
//     GROUP BY auction, window_start, window_end) C
//   WHERE num = (SELECT MAX(num) FROM C AS M WHERE M.window_start = C.window_start);
#include "queries.hpp"

#include "nexmark/csv_format.hpp"

namespace streamweave::nexmark {

namespace {
struct bid_on {
  std::int64_t auction, date_time;
};
}  // namespace

using auction_count = window_result<std::int64_t, std::uint64_t>;  // {auction, window, bids}

stream<std::string> q5_hot_items(const stream<event>& events, std::size_t parallelism) {
  auto counts = select<bid>(events, [](const bid& b) { return bid_on{b.auction, b.date_time}; })
                    .key_by([](const bid_on& b) { return b.auction; }, parallelism)
                    .window(sliding_windows(10'000, 2'000), event_time_of<bid_on>)
                    .count("bids per auction and window");
  fail_on_late(counts.late, "q5");
  // Every count of one window is emitted at the window's fire time, so a per-timestamp
  // aggregation keyed by the window sees all of them together.
  return counts.output.key_by([](const auction_count& c) { return c.window.start; }, parallelism)
      .aggregate("hottest per window", arg_max_by<auction_count>([](const auction_count& c) { return c.value; }))
      .flat_map([](const std::pair<timestamp, std::vector<auction_count>>& hottest) {
        std::vector<std::string> rows;
        for (const auction_count& c : hottest.second)
          rows.push_back(csv_row(static_cast<std::int64_t>(c.window.start), static_cast<std::int64_t>(c.window.end), c.key,
                                 static_cast<std::int64_t>(c.value)));
        return rows;
      });
}

}  // namespace streamweave::nexmark
