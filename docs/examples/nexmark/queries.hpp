#pragma once
// NEXMark Q0-Q8 written with StreamWeave's public API, one file per query (q0_*.cpp ...
// q8_*.cpp), to read as examples. Each query takes the stream of all events and returns its
// output rows, formatted as docs/nexmark.md §5 says.
//
// The input contract: `events` carries NEXMark events whose batch time is an event-time
// watermark (an event-time source or input with bounded disorder, so no event is late), with
// the event time `date_time` in milliseconds as the timestamp. `parallelism` is the number of
// instances of every keyed step (0: hardware concurrency).
#include "nexmark/event.hpp"

#include <streamweave/streamweave.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace streamweave::nexmark {

stream<std::string> q0_passthrough(const stream<event>& events, std::size_t parallelism);
stream<std::string> q1_currency_conversion(const stream<event>& events, std::size_t parallelism);
stream<std::string> q2_selection(const stream<event>& events, std::size_t parallelism);
stream<std::string> q3_local_item_suggestion(const stream<event>& events, std::size_t parallelism);
stream<std::string> q4_average_price_by_category(const stream<event>& events, std::size_t parallelism);
stream<std::string> q5_hot_items(const stream<event>& events, std::size_t parallelism);
stream<std::string> q6_average_selling_price_by_seller(const stream<event>& events, std::size_t parallelism);
stream<std::string> q7_highest_bid(const stream<event>& events, std::size_t parallelism);
stream<std::string> q8_monitor_new_users(const stream<event>& events, std::size_t parallelism);

/// Query `q` (0..8) by number; throws std::invalid_argument for another number.
stream<std::string> build_query(int q, const stream<event>& events, std::size_t parallelism);

/// A NEXMark time (int64 milliseconds) as a StreamWeave timestamp; the runner rejects
/// negative times before they reach a graph.
inline timestamp as_time(std::int64_t ms) { return static_cast<timestamp>(ms); }
/// The event time of a record.
template <class Record>
timestamp event_time_of(const Record& r) {
  return as_time(r.date_time);
}

/// The events of one kind, each mapped by `f(const Kind&)`: `select<bid>(events, f)`. `f`
/// picks the columns the query needs (a projection, as a SQL engine makes), so no whole event
/// is copied downstream.
template <class Kind, class F>
auto select(const stream<event>& events, F f) {
  return events.filter([](const event& e) { return std::holds_alternative<Kind>(e); })
      .map([f](const event& e) { return f(std::get<Kind>(e)); });
}

/// A sink for a window's late records that fails the run: with a watermark of bounded
/// disorder none can be late, so one that is means the input broke its promise.
template <class Record>
void fail_on_late(const stream<Record>& late, const char* query) {
  late.for_each(
      [query](const Record& r) {
        throw std::runtime_error(std::string(query) + ": a late record at event time " + std::to_string(r.date_time) +
                                 ": the input broke its disorder bound");
      },
      std::string(query) + " late records");
}

}  // namespace streamweave::nexmark
