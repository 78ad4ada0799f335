#pragma once
/// \file
/// `keyed_stream<T, Key>`: a stream partitioned by key. `stream<T>::key_by(key, n)` exchanges
/// the stream so that every record with the same key, at every timestamp, reaches the same
/// one of `n` parallel instances; the keyed operators declared here then keep per-key state in
/// that instance without locks.
///
/// Thread safety: building is single-threaded, as for every graph call.
#include <streamweave/graph/stream.hpp>
#include <streamweave/keyed/aggregator.hpp>
#include <streamweave/keyed/state_stats.hpp>
#include <streamweave/window/window_options.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

namespace streamweave {

template <class T, class KeyFn, class Assigner, class EventTime>
class windowed_stream;
namespace detail {
struct no_event_time;
}

template <class T, class Key>
class keyed_stream {
 public:
  using value_type = T;
  /// The key type: what `Key` returns for a record, decayed.
  using key_type = std::decay_t<std::invoke_result_t<const Key&, const T&>>;

  keyed_stream(stream<T> exchanged, Key key) : stream_(std::move(exchanged)), key_(std::move(key)) {}

  /// The exchanged stream (its consumer gets one instance per partition).
  const stream<T>& exchanged() const noexcept { return stream_; }
  /// The key extractor.
  const Key& key() const noexcept { return key_; }
  /// Parallel instances of the operators that consume this keyed stream.
  std::size_t instances() const noexcept { return stream_.consumer_parallelism(); }

  // ---- keyed state and joins (keyed/...) ----
  //
  // Every operator below runs one instance per partition of this keyed stream (`instances()`)
  // and keeps its state in that instance, without locks. `stats` (optional) receives live
  // state counts (keyed/state_stats.hpp). `name` appears in errors; empty = a default name.
  // Defined in keyed/keyed_reduce.hpp and keyed/joins.hpp.

  /// Per key and timestamp: how many records the key had at that (batch) timestamp. Emits
  /// `(key, count)` at the timestamp once the input frontier passes it; a key without records
  /// at a timestamp emits nothing there. State: one counter per (timestamp, key) seen, freed
  /// when the timestamp is emitted (`stats.timestamps()`: pending timestamps per instance,
  /// `stats.entries()`: pending (timestamp, key) counters).
  stream<std::pair<key_type, std::uint64_t>> count(std::string name = {},
                                                  keyed_state_stats stats = keyed_state_stats::none()) const;

  /// Per key and timestamp: the records folded with `f(T acc, const T& r) -> T` (the first
  /// record starts the fold, in arrival order: make `f` associative and commutative for
  /// deterministic results). Emitted and freed as `count`.
  template <class F>
  stream<std::pair<key_type, T>> reduce(std::string name, F f, keyed_state_stats stats = keyed_state_stats::none()) const;

  /// Per key and timestamp: `agg.finish` of the records accumulated with an aggregator
  /// (keyed/aggregator.hpp). Emitted and freed as `count`; `merge` is not used.
  template <class Agg>
  stream<std::pair<key_type, aggregator_result_t<Agg>>> aggregate(std::string name, Agg agg,
                                                                  keyed_state_stats stats = keyed_state_stats::none()) const;

  /// Per key over the whole input: `agg.finish` of every record of the key, whatever its
  /// timestamp, emitted once the input is done (SQL's GROUP BY over a bounded input, without
  /// the retractions of a running aggregate). Emitted at the latest batch time the instance
  /// saw; until then the operator holds a capability at the earliest one, so nothing
  /// downstream completes before the input ends. State: one accumulator per key
  /// (`stats.entries()`), freed when emitted.
  template <class Agg>
  stream<std::pair<key_type, aggregator_result_t<Agg>>> final_aggregate(std::string name, Agg agg,
                                                                        keyed_state_stats stats = keyed_state_stats::none()) const;

  /// Running count: after every record, emits `(key, records of the key so far)` at the
  /// record's timestamp, immediately (no waiting for the frontier). State: one counter per key
  /// ever seen, kept across timestamps (a running total cannot forget a key), freed when the
  /// input is done (`stats.entries()`: keys held; `stats.timestamps()` stays 0).
  /// "So far" follows arrival order, which across timestamps is the order the frontier allows:
  /// a record at an earlier timestamp may arrive after one at a later timestamp when several
  /// upstream instances feed this one; the final value per key is deterministic.
  stream<std::pair<key_type, std::uint64_t>> running_count(std::string name = {},
                                                          keyed_state_stats stats = keyed_state_stats::none()) const;

  /// Running fold with `f(T acc, const T& r) -> T`: after every record, emits `(key, fold so
  /// far)` at the record's timestamp. State and order as `running_count`.
  template <class F>
  stream<std::pair<key_type, T>> running_reduce(std::string name, F f,
                                                keyed_state_stats stats = keyed_state_stats::none()) const;

  /// Running aggregation: after every record, emits `(key, agg.finish(accumulator so far))`
  /// (on a copy or const reference: see `finish_copy`). State and order as `running_count`.
  template <class Agg>
  stream<std::pair<key_type, aggregator_result_t<Agg>>> running_aggregate(
      std::string name, Agg agg, keyed_state_stats stats = keyed_state_stats::none()) const;

  /// Unbounded inner equi-join with `other` (same key type and number of instances, else
  /// `graph_error`): every pair `(a, b)` with equal keys, whatever their timestamps, yields
  /// `f(const T& a, const U& b)` once, emitted at `max(batch time of a, batch time of b)` as
  /// soon as the later-arriving of the two is processed. The result does not depend on which
  /// side arrives first. State: every record of each side (`stats.entries()`), kept until
  /// the *other* input is done (no partner can arrive any more), then freed.
  template <class U, class Key2, class F>
  auto join(const keyed_stream<U, Key2>& other, std::string name, F f,
            keyed_state_stats stats = keyed_state_stats::none()) const
      -> stream<std::decay_t<std::invoke_result_t<F&, const T&, const U&>>>;

  /// Interval join on event times: pairs `(a, b)` with equal keys and
  /// `time_a(a) - lower <= time_b(b) <= time_a(a) + upper` yield `f(a, b)`, emitted at
  /// `max(batch time of a, batch time of b)`. See keyed/joins.hpp for the precise rule on
  /// records whose event time is before their batch time, and for state release.
  template <class U, class Key2, class TimeA, class TimeB, class F>
  auto interval_join(const keyed_stream<U, Key2>& other, timestamp lower, timestamp upper, TimeA time_a, TimeB time_b,
                     std::string name, F f, keyed_state_stats stats = keyed_state_stats::none()) const
      -> stream<std::decay_t<std::invoke_result_t<F&, const T&, const U&>>>;

  /// Stream-table join: `table`'s records are updates; the latest one per key is the table
  /// row. Each record `r` of this stream at batch time `t` yields `f(r, row)` at `t`, where
  /// `row` is the key's latest update at a batch time `<= t` (updates at `t` itself apply
  /// first); records whose key has no row yield nothing. See keyed/joins.hpp.
  template <class U, class Key2, class F>
  auto join_table(const keyed_stream<U, Key2>& table, std::string name, F f,
                  keyed_state_stats stats = keyed_state_stats::none()) const
      -> stream<std::decay_t<std::invoke_result_t<F&, const T&, const U&>>>;

  /// Keyed process function with per-key state and event-time timers (Flink's
  /// KeyedProcessFunction): `on_record(ctx, const T&)` runs for every record with
  /// `ctx.key()`, `ctx.state()` (a `State` per key), `ctx.emit(U)` and `ctx.timer_at(t)`;
  /// `on_timer(ctx, t)` runs for the key once the input frontier passes `t`. `ctx` is a
  /// `keyed_process_context<key_type, State, U>&`. Contract in keyed/keyed_process.hpp.
  template <class U, class State, class OnRecord, class OnTimer>
  stream<U> process(std::string name, OnRecord on_record, OnTimer on_timer,
                    keyed_state_stats stats = keyed_state_stats::none()) const;

  // ---- windows (window/...) ----
  /// Event-time windows (tumbling, sliding, session: window/assigners.hpp) over
  /// `event_time(const T&)` (a timestamp). Defined in window/windowed_stream.hpp.
  template <class Assigner, class EventTime>
    requires std::is_invocable_v<const EventTime&, const T&>
  windowed_stream<T, Key, Assigner, EventTime> window(Assigner assigner, EventTime event_time, window_options options = {}) const;
  /// Count or processing-time windows (no event time).
  template <class Assigner>
  windowed_stream<T, Key, Assigner, detail::no_event_time> window(Assigner assigner, window_options options = {}) const;

 private:
  stream<T> stream_;
  Key key_;
};

template <class T>
template <class Key>
keyed_stream<T, Key> stream<T>::key_by(Key key, std::size_t n) const {
  static_assert(std::is_invocable_v<const Key&, const T&>, "key_by: the key function must accept const T&");
  return keyed_stream<T, Key>(exchange(key, n), key);
}

}  // namespace streamweave

#include <streamweave/keyed/joins.hpp>         // defines the joins
#include <streamweave/keyed/keyed_process.hpp>  // defines process (keyed timers)
#include <streamweave/keyed/keyed_reduce.hpp>  // defines the keyed aggregations
#include <streamweave/window/windowed_stream.hpp>  // defines keyed_stream::window
