// NEXMark Q8, monitor new users: the people who opened an auction in the same 10 s tumbling
// window in which they registered, each (window, person) once.
//   SELECT P.id, P.name, P.window_start FROM
//     (SELECT id, name, window_start, window_end FROM TABLE(TUMBLE(person, date_time, 10 s))
//      GROUP BY id, name, window_start, window_end) P
//   JOIN
//     (SELECT seller, window_start, window_end FROM TABLE(TUMBLE(auction, date_time, 10 s))
//      GROUP BY seller, window_start, window_end) A
//   ON P.id = A.seller AND P.window_start = A.window_start AND P.window_end = A.window_end;
#include "queries.hpp"

#include "nexmark/csv_format.hpp"

namespace streamweave::nexmark {

namespace {
struct registered {
  std::int64_t id;
  std::string name;
  std::int64_t date_time;
};
struct opened {
  std::int64_t seller, date_time;
};
struct new_seller {
  window w;
  std::int64_t id;
  std::string name;
};
}  // namespace

stream<std::string> q8_monitor_new_users(const stream<event>& events, std::size_t parallelism) {
  const tumbling_windows ten_seconds(10'000);
  auto people = select<person>(events, [](const person& p) { return registered{p.id, p.name, p.date_time}; })
                    .key_by([](const registered& p) { return p.id; }, parallelism)
                    .window(ten_seconds, event_time_of<registered>);
  auto sellers = select<auction>(events, [](const auction& a) { return opened{a.seller, a.date_time}; })
                     .key_by([](const opened& a) { return a.seller; }, parallelism)
                     .window(ten_seconds, event_time_of<opened>);
  auto joined = people.join(sellers, "registered and sold in one window", [](std::int64_t id, const window& w, const registered& p, const opened&) {
    return new_seller{w, id, p.name};
  });
  fail_on_late(joined.late, "q8");
  fail_on_late(joined.late_other, "q8");
  // One row per (window, person) however many auctions matched: a window's pairs are all
  // emitted at its fire time, so per person and timestamp is per person and window.
  return joined.output.key_by([](const new_seller& s) { return s.id; }, parallelism)
      .reduce("distinct", [](new_seller first, const new_seller&) { return first; })
      .map([](const std::pair<std::int64_t, new_seller>& r) {
        const new_seller& s = r.second;
        return csv_row(static_cast<std::int64_t>(s.w.start), static_cast<std::int64_t>(s.w.end), s.id, s.name);
      });
}

}  // namespace streamweave::nexmark
