// NEXMark Q4, average closing price per category: the mean of the winning bids of the auctions
// of each category, over the whole input (integer division, truncated).
//   SELECT Q.category, AVG(Q.final) FROM (
//     SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
//     WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires
//     GROUP BY A.id, A.category) Q
//   GROUP BY Q.category;
#include "closed_auctions.hpp"

#include "nexmark/csv_format.hpp"

namespace streamweave::nexmark {

namespace {
/// AVG over BIGINT: the sum and count of the final prices (a category's sum stays far below
/// 2^63 for any realistic input: prices are at most 10^8).
struct average {
  struct acc {
    std::int64_t sum = 0;
    std::int64_t count = 0;
  };
  acc init() const { return {}; }
  void accumulate(acc& a, const closed_auction& c) const {
    a.sum += c.final_price;
    ++a.count;
  }
  void merge(acc& a, acc&& b) const {
    a.sum += b.sum;
    a.count += b.count;
  }
  std::int64_t finish(const acc& a) const { return a.sum / a.count; }
};
}  // namespace

stream<std::string> q4_average_price_by_category(const stream<event>& events, std::size_t parallelism) {
  return closed_auctions(events, parallelism)
      .key_by([](const closed_auction& c) { return c.category; }, parallelism)
      .final_aggregate("average per category", average{})
      .map([](const std::pair<std::int64_t, std::int64_t>& r) { return csv_row(r.first, r.second); });
}

}  // namespace streamweave::nexmark
