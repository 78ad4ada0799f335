// Auctions closing with their winning price, with keyed event-time timers: per auction, keep
// the auction and the best valid bid so far, and close at `expires`. Bids may arrive before
// their auction: they wait until the frontier passes their own time, after which an auction
// that could make them valid (opened no later than the bid) can no longer arrive.
#include "closed_auctions.hpp"

#include <algorithm>
#include <optional>
#include <variant>
#include <vector>

namespace streamweave::nexmark {

namespace {

// The columns the query needs.
struct opened {
  std::int64_t id, seller, category, date_time, expires;
};
struct offer {
  std::int64_t auction, price, date_time;
};
using auction_or_bid = std::variant<opened, offer>;

struct auction_state {
  std::optional<opened> open;        // the auction, once it arrived
  std::optional<std::int64_t> best;  // the highest valid bid so far
  std::vector<offer> waiting;        // bids that arrived before their auction
  void consider(const offer& b) {
    if (open->date_time <= b.date_time && b.date_time <= open->expires) best = std::max(best.value_or(b.price), b.price);
  }
};

using context = keyed_process_context<std::int64_t, auction_state, closed_auction>;

void on_record(context& ctx, const auction_or_bid& r) {
  auction_state& s = ctx.state();
  if (const auto* a = std::get_if<opened>(&r)) {
    s.open = *a;
    for (const offer& b : s.waiting) s.consider(b);
    s.waiting.clear();
    ctx.timer_at(as_time(a->expires));
  } else if (s.open) {
    s.consider(std::get<offer>(r));
  } else {
    s.waiting.push_back(std::get<offer>(r));
    ctx.timer_at(as_time(std::get<offer>(r).date_time));
  }
}

void on_timer(context& ctx, timestamp t) {
  if (!ctx.has_state()) return;
  auction_state& s = ctx.state();
  if (s.open && t >= as_time(s.open->expires)) {
    if (s.best) ctx.emit({s.open->id, s.open->seller, s.open->category, s.open->expires, *s.best});
    ctx.clear_state();
  } else if (!s.open) {
    // No auction opened at or before t can still arrive: bids up to t can never be valid.
    std::erase_if(s.waiting, [t](const offer& b) { return as_time(b.date_time) <= t; });
    if (s.waiting.empty()) ctx.clear_state();
  }
}

}  // namespace

stream<closed_auction> closed_auctions(const stream<event>& events, std::size_t parallelism) {
  return events.filter([](const event& e) { return !std::holds_alternative<person>(e); })
      .map([](const event& e) -> auction_or_bid {
        if (const auto* a = std::get_if<auction>(&e)) return opened{a->id, a->seller, a->category, a->date_time, a->expires};
        const bid& b = std::get<bid>(e);
        return offer{b.auction, b.price, b.date_time};
      })
      .key_by([](const auction_or_bid& r) { return std::holds_alternative<opened>(r) ? std::get<opened>(r).id : std::get<offer>(r).auction; },
              parallelism)
      .process<closed_auction, auction_state>("close auctions", on_record, on_timer);
}

}  // namespace streamweave::nexmark
