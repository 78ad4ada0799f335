// NEXMark Q6, average selling price by seller: for every auction a seller closes, the mean
// winning price of that seller's last 10 closed auctions, in order of (expires, id).
//   SELECT seller, expires, id, AVG(final) OVER (PARTITION BY seller ORDER BY expires, id
//                                                ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)
//   FROM closed_auctions;
#include "closed_auctions.hpp"

#include "nexmark/csv_format.hpp"

#include <algorithm>
#include <deque>
#include <numeric>
#include <tuple>
#include <vector>

namespace streamweave::nexmark {

namespace {

constexpr std::size_t last_n = 10;

struct seller_state {
  std::vector<closed_auction> closing;  // closed auctions whose `expires` is not complete yet
  std::deque<std::int64_t> recent;      // the last `last_n` winning prices, oldest first
};

using context = keyed_process_context<std::int64_t, seller_state, std::string>;

void on_closed(context& ctx, const closed_auction& c) {
  ctx.state().closing.push_back(c);
  ctx.timer_at(as_time(c.expires));  // once every auction closing at `expires` has arrived
}

void on_time(context& ctx, timestamp t) {
  seller_state& s = ctx.state();
  // The auctions due now, in (expires, id) order: the OVER window's ORDER BY.
  auto due = std::partition(s.closing.begin(), s.closing.end(), [t](const closed_auction& c) { return as_time(c.expires) > t; });
  std::sort(due, s.closing.end(), [](const closed_auction& a, const closed_auction& b) {
    return std::tie(a.expires, a.id) < std::tie(b.expires, b.id);
  });
  for (auto it = due; it != s.closing.end(); ++it) {
    s.recent.push_back(it->final_price);
    if (s.recent.size() > last_n) s.recent.pop_front();
    const std::int64_t sum = std::accumulate(s.recent.begin(), s.recent.end(), std::int64_t{0});
    ctx.emit(csv_row(ctx.key(), it->expires, it->id, sum / static_cast<std::int64_t>(s.recent.size())));
  }
  s.closing.erase(due, s.closing.end());
}

}  // namespace

stream<std::string> q6_average_selling_price_by_seller(const stream<event>& events, std::size_t parallelism) {
  return closed_auctions(events, parallelism)
      .key_by([](const closed_auction& c) { return c.seller; }, parallelism)
      .process<std::string, seller_state>("last 10 per seller", on_closed, on_time);
}

}  // namespace streamweave::nexmark
