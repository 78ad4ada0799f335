// Auctions closing with their winning price, with keyed event-time timers: per auction, keep
// the auction and the best valid bid so far, and close at `expires`. Bids may arrive before
// their auction: they wait until the frontier passes their own time, after which an auction
// that could make them valid (opened no later than the bid) can no longer arrive.
#include "closed_auctions.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace streamweave::nexmark {

namespace {

struct early_bid {
  std::int64_t date_time;
  std::int64_t price;
};

struct auction_state {
  std::optional<auction> open;           // the auction, once it arrived
  std::optional<std::int64_t> best;      // the highest valid bid so far
  std::vector<early_bid> waiting;        // bids that arrived before their auction
  void offer(std::int64_t date_time, std::int64_t price) {
    if (open->date_time <= date_time && date_time <= open->expires) best = std::max(best.value_or(price), price);
  }
};

using context = keyed_process_context<std::int64_t, auction_state, closed_auction>;

std::int64_t auction_of(const event& e) {
  return std::holds_alternative<auction>(e) ? std::get<auction>(e).id : std::get<bid>(e).auction;
}

void on_event(context& ctx, const event& e) {
  auction_state& s = ctx.state();
  if (const auto* a = std::get_if<auction>(&e)) {
    s.open = *a;
    for (const early_bid& b : s.waiting) s.offer(b.date_time, b.price);
    s.waiting.clear();
    ctx.timer_at(as_time(a->expires));
  } else if (const auto& b = std::get<bid>(e); s.open) {
    s.offer(b.date_time, b.price);
  } else {
    s.waiting.push_back({b.date_time, b.price});
    ctx.timer_at(event_time_of(b));
  }
}

void on_time(context& ctx, timestamp t) {
  if (!ctx.has_state()) return;
  auction_state& s = ctx.state();
  if (s.open && t >= as_time(s.open->expires)) {
    if (s.best) ctx.emit({s.open->id, s.open->seller, s.open->category, s.open->expires, *s.best});
    ctx.clear_state();
  } else if (!s.open) {
    // No auction opened at or before t can still arrive: bids up to t can never be valid.
    std::erase_if(s.waiting, [t](const early_bid& b) { return as_time(b.date_time) <= t; });
    if (s.waiting.empty()) ctx.clear_state();
  }
}

}  // namespace

stream<closed_auction> closed_auctions(const stream<event>& events, std::size_t parallelism) {
  return events.filter([](const event& e) { return !std::holds_alternative<person>(e); })
      .key_by(auction_of, parallelism)
      .process<closed_auction, auction_state>("close auctions", on_event, on_time);
}

}  // namespace streamweave::nexmark
