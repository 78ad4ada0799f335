#pragma once
// Sequential oracles for the keyed joins, over records given with their batch times.
#include <streamweave/streamweave.hpp>

#include <algorithm>
#include <compare>
#include <cstddef>
#include <map>
#include <utility>
#include <vector>

namespace streamweave::testing {

/// A join input record: key, event time, identity.
struct ev {
  int key = 0;
  timestamp event = 0;
  int id = 0;
  friend auto operator<=>(const ev&, const ev&) = default;
};

constexpr auto key_of = [](const ev& e) { return e.key; };
constexpr auto event_of = [](const ev& e) { return e.event; };
/// The join function of the tests: the two records' ids.
constexpr auto ids = [](const ev& a, const ev& b) { return std::pair<int, int>(a.id, b.id); };

/// A record with the batch time it is sent at.
struct stamped {
  timestamp batch = 0;
  ev record;
};

using pairs_by_time = std::map<timestamp, std::vector<std::pair<int, int>>>;  // (id of a, id of b)

inline void sort_values(pairs_by_time& m) {
  for (auto& [t, v] : m) std::sort(v.begin(), v.end());
}

/// Every equal-key pair, at the later batch time.
inline pairs_by_time join_oracle(const std::vector<stamped>& as, const std::vector<stamped>& bs) {
  pairs_by_time out;
  for (const auto& a : as)
    for (const auto& b : bs)
      if (a.record.key == b.record.key) out[std::max(a.batch, b.batch)].push_back({a.record.id, b.record.id});
  sort_values(out);
  return out;
}

/// The interval join rule of keyed/joins.hpp (no saturation needed for the small times used).
inline pairs_by_time interval_oracle(const std::vector<stamped>& as, const std::vector<stamped>& bs, timestamp lower,
                                     timestamp upper) {
  pairs_by_time out;
  for (const auto& a : as)
    for (const auto& b : bs) {
      const timestamp ea = a.record.event, eb = b.record.event;
      if (a.record.key == b.record.key && ea <= eb + lower && eb <= ea + upper && b.batch <= ea + upper &&
          a.batch <= eb + lower)
        out[std::max(a.batch, b.batch)].push_back({a.record.id, b.record.id});
    }
  sort_values(out);
  return out;
}

/// Stream-table join: each stream record meets its key's latest update at a batch time <= its
/// own; of several updates at one time, the one sent last (later in `updates`) wins.
inline pairs_by_time table_oracle(const std::vector<stamped>& stream, const std::vector<stamped>& updates) {
  pairs_by_time out;
  for (const auto& s : stream) {
    const stamped* best = nullptr;
    for (const auto& u : updates)
      if (u.record.key == s.record.key && u.batch <= s.batch && (best == nullptr || u.batch >= best->batch)) best = &u;
    if (best != nullptr) out[s.batch].push_back({s.record.id, best->record.id});
  }
  sort_values(out);
  return out;
}

/// Records grouped by batch time, in the given order.
inline std::map<timestamp, std::vector<ev>> by_batch(const std::vector<stamped>& records) {
  std::map<timestamp, std::vector<ev>> m;
  for (const auto& r : records) m[r.batch].push_back(r.record);
  return m;
}

/// What a join's collected `(id a, id b)` output looks like, per time, sorted.
inline pairs_by_time collected(const collection<std::pair<int, int>>& c) {
  pairs_by_time m = c.by_time();
  sort_values(m);
  return m;
}

/// Feeds one input epoch by epoch through `times` (sending each epoch's records in one call).
class epoch_feeder {
 public:
  epoch_feeder(input_handle<ev>& h, const std::vector<stamped>& records, timestamp epochs)
      : h_(h), by_time_(by_batch(records)), epochs_(epochs) {}
  bool done() const { return next_ >= epochs_; }
  /// Sends the next epoch and advances past it; closes the input after the last one.
  void step() {
    if (auto it = by_time_.find(next_); it != by_time_.end()) h_.send(it->second);
    h_.advance_to(++next_);
    if (done()) h_.close();
  }
  void finish() {
    while (!done()) step();
  }

 private:
  input_handle<ev>& h_;
  std::map<timestamp, std::vector<ev>> by_time_;
  timestamp epochs_;
  timestamp next_ = 0;
};

}  // namespace streamweave::testing
