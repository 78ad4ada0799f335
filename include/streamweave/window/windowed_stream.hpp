#pragma once
/// \file
/// `windowed_stream`: a keyed stream cut into windows, created by
/// `keyed_stream::window(assigner, event_time, options)` (event-time tumbling, sliding and
/// session windows) or `keyed_stream::window(assigner, options)` (`count_windows`,
/// `processing_time_windows`). Semantics: window/assigners.hpp and docs/time-and-windows.md.
///
/// Every operation (`aggregate`, `reduce`, `count`, `records`, `apply`, `join`) adds one
/// operator, with the keyed stream's parallelism, and returns a `windowed_output`:
///  - `output`: one `window_result{key, window, value}` per key and non-empty window, emitted
///    when the window fires, at its fire time `end - 1 + allowed_lateness` (event time; count
///    windows: the batch time of the window's last record; processing time: the earliest batch
///    time among the window's records);
///  - `late`: every record whose windows were all late (batch time `b >= w.end +
///    allowed_lateness` for each), at its batch time, unchanged. Never dropped silently: like
///    every stream it must be consumed (e.g. `.late.for_each(...)`), otherwise `runtime::run`
///    reports it as dangling. Always empty for count and processing-time windows;
///  - `stats`: the operator's counters (late records, live windows, buffered records).
/// State of a window is released when it fires; records are buffered only until their batch
/// time is complete. Exceptions from user functions fail the run (`execution::wait`).
/// Thread safety: building is single-threaded, as for every graph call.
#include <streamweave/graph/stream.hpp>
#include <streamweave/keyed/aggregator.hpp>
#include <streamweave/keyed/keyed_stream.hpp>  // the class whose window() this header defines
#include <streamweave/window/assigners.hpp>
#include <streamweave/window/window_operator.hpp>
#include <streamweave/window/window_options.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamweave {

template <class Key, class Out, class T>
struct windowed_output {
  stream<window_result<Key, Out>> output;
  stream<T> late;
  window_stats stats;
};

/// A windowed join's streams: `late` holds the left input's late records, `late_other` the
/// right input's.
template <class U, class T1, class T2>
struct window_join_output {
  stream<U> output;
  stream<T1> late;
  stream<T2> late_other;
  window_stats stats;
};

namespace detail {
/// The event-time extractor of windows that have none (count and processing time).
struct no_event_time {
  template <class T>
  timestamp operator()(const T&) const noexcept {
    return 0;
  }
};

template <class T>
struct records_aggregator {
  std::vector<T> init() const { return {}; }
  void accumulate(std::vector<T>& v, const T& r) const { v.push_back(r); }
  void merge(std::vector<T>& v, std::vector<T>&& w) const { v.insert(v.end(), std::make_move_iterator(w.begin()), std::make_move_iterator(w.end())); }
  std::vector<T> finish(std::vector<T>&& v) const { return std::move(v); }
};

/// Finishes through the aggregator's `finish`.
template <class Agg>
struct finish_with {
  Agg agg;
  template <class Key, class Acc>
  auto operator()(const Key&, const window&, Acc&& acc) const {
    return agg.finish(std::move(acc));
  }
};
}  // namespace detail

template <class T, class KeyFn, class Assigner, class EventTime>
class windowed_stream {
 public:
  using value_type = T;
  using key_type = detail::key_of<KeyFn, T>;
  static constexpr bool event_time_based = !detail::is_count_assigner<Assigner> && !detail::is_processing_time_assigner<Assigner>;

  windowed_stream(keyed_stream<T, KeyFn> keyed, Assigner assigner, EventTime event_time, window_options options)
      : keyed_(std::move(keyed)), assigner_(std::move(assigner)), event_time_(std::move(event_time)), options_(options) {}

  /// Aggregates each key's window with `agg` (an `aggregator_for<Agg, T>`, keyed/aggregator.hpp;
  /// `merge` joins two sessions); value: `agg.finish(acc)`.
  template <class Agg>
  auto aggregate(std::string name, Agg agg) const {
    static_assert(aggregator_for<Agg, T>, "aggregate: needs an aggregator (keyed/aggregator.hpp): init, accumulate, merge, finish");
    return build(std::move(name), agg, detail::finish_with<Agg>{agg});
  }
  /// Combines each key's window with `f(const T&, const T&) -> T`; value: the combination of
  /// the window's records, in arrival order (sessions: merged sessions first, then the record
  /// that joined them), so `f` should be associative and commutative.
  template <class F>
  auto reduce(std::string name, F f) const {
    static_assert(std::is_convertible_v<std::invoke_result_t<const F&, const T&, const T&>, T>, "reduce: f(const T&, const T&) must return T");
    using agg = reduce_aggregator<T, F>;
    return build(std::move(name), agg{f}, detail::finish_with<agg>{agg{f}});
  }
  /// The number of records of each key's window.
  auto count(std::string name = {}) const { return aggregate(std::move(name), count_aggregator{}); }
  /// The records of each key's window (in an unspecified order).
  auto records(std::string name = {}) const { return aggregate(std::move(name), detail::records_aggregator<T>{}); }
  /// `f(const Key&, const window&, const std::vector<T>&) -> Out` over each key's window.
  template <class F>
  auto apply(std::string name, F f) const {
    return build(std::move(name), detail::records_aggregator<T>{}, [f](const key_type& k, const window& w, std::vector<T>&& records) {
      return f(k, w, static_cast<const std::vector<T>&>(records));
    });
  }

  /// Joins with `other` (same key type and parallelism, an equal non-merging event-time
  /// assigner, the same options): when a window fires, emits `f(key, window, a, b)` for every
  /// pair of this side's record `a` and the other side's record `b` with that key in that
  /// window, at the window's fire time. Throws `usage_error` when the windows differ.
  template <class T2, class KeyFn2, class EventTime2, class F>
  auto join(const windowed_stream<T2, KeyFn2, Assigner, EventTime2>& other, std::string name, F f) const {
    static_assert(event_time_based && !Assigner::merging, "join: needs non-merging event-time windows (tumbling or sliding)");
    static_assert(std::is_same_v<key_type, detail::key_of<KeyFn2, T2>>, "join: both sides need the same key type");
    using core = detail::window_join_core<T, T2, KeyFn, KeyFn2, Assigner, EventTime, EventTime2, F>;
    using U = typename core::out_type;
    const std::string what = "window join '" + name + "'";
    if (!(other.assigner() == assigner_) || other.options().allowed_lateness != options_.allowed_lateness)
      throw usage_error(what + ": both sides need the same window assigner and allowed lateness");
    if (other.keyed().instances() != keyed_.instances())
      throw usage_error(what + ": both sides need the same parallelism (key_by(key, n) with the same n)");
    window_stats stats;
    auto builder = [key1 = keyed_.key(), key2 = other.keyed().key(), a = assigner_, t1 = event_time_, t2 = other.event_time(), f,
                    lateness = options_.allowed_lateness, stats](operator_setup& setup) {
      setup.drop_initial_capability();
      return [c = std::make_unique<core>(key1, key2, a, t1, t2, f, lateness, stats)](auto& ctx) { c->run(ctx); };
    };
    auto [out, late1, late2] = keyed_.exchanged().template binary_outputs<U, T, T2>(other.keyed().exchanged(), std::move(name), builder);
    detail::graph_access::mark_reads_event_time(out);
    return window_join_output<U, T, T2>{out, late1, late2, stats};
  }

  const keyed_stream<T, KeyFn>& keyed() const noexcept { return keyed_; }
  const Assigner& assigner() const noexcept { return assigner_; }
  const EventTime& event_time() const noexcept { return event_time_; }
  const window_options& options() const noexcept { return options_; }

 private:
  template <class Agg, class Fin>
  auto build(std::string name, Agg agg, Fin fin) const {
    using acc_type = std::decay_t<decltype(agg.init())>;
    using out_type = std::decay_t<std::invoke_result_t<const Fin&, const key_type&, const window&, acc_type&&>>;
    using result = window_result<key_type, out_type>;
    window_stats stats;
    auto builder = [key = keyed_.key(), a = assigner_, et = event_time_, agg, fin, lateness = options_.allowed_lateness,
                    stats](operator_setup& setup) {
      setup.drop_initial_capability();
      auto c = make_core(key, a, et, agg, fin, lateness, stats);
      return [c = std::move(c)](auto& ctx) { c->run(ctx); };
    };
    auto [out, late] = keyed_.exchanged().template unary_outputs<result, T>(std::move(name), builder);
    if constexpr (event_time_based) detail::graph_access::mark_reads_event_time(out);
    return windowed_output<key_type, out_type, T>{out, late, stats};
  }

  template <class Agg, class Fin>
  static auto make_core(const KeyFn& key, const Assigner& a, const EventTime& et, const Agg& agg, const Fin& fin, timestamp lateness,
                        const window_stats& stats) {
    if constexpr (detail::is_count_assigner<Assigner>)
      return std::make_unique<detail::count_window_core<T, KeyFn, Agg, Fin>>(key, a, agg, fin, stats);
    else if constexpr (detail::is_processing_time_assigner<Assigner>)
      return std::make_unique<detail::processing_window_core<T, KeyFn, Agg, Fin>>(key, a, agg, fin, stats);
    else
      return std::make_unique<detail::event_window_core<T, KeyFn, Assigner, EventTime, Agg, Fin>>(key, a, et, agg, fin, lateness, stats);
  }

  keyed_stream<T, KeyFn> keyed_;
  Assigner assigner_;
  EventTime event_time_;
  window_options options_;
};

template <class T, class Key>
template <class Assigner, class EventTime>
  requires std::is_invocable_v<const EventTime&, const T&>
windowed_stream<T, Key, Assigner, EventTime> keyed_stream<T, Key>::window(Assigner assigner, EventTime event_time,
                                                                          window_options options) const {
  static_assert(windowed_stream<T, Key, Assigner, EventTime>::event_time_based,
                "window(assigner, event_time, options): count and processing-time windows take no event time; use window(assigner, options)");
  return windowed_stream<T, Key, Assigner, EventTime>(*this, std::move(assigner), std::move(event_time), options);
}

template <class T, class Key>
template <class Assigner>
windowed_stream<T, Key, Assigner, detail::no_event_time> keyed_stream<T, Key>::window(Assigner assigner, window_options options) const {
  static_assert(!windowed_stream<T, Key, Assigner, detail::no_event_time>::event_time_based,
                "window(assigner, options): event-time windows need an event-time extractor: window(assigner, event_time, options)");
  return windowed_stream<T, Key, Assigner, detail::no_event_time>(*this, std::move(assigner), detail::no_event_time{}, options);
}

}  // namespace streamweave
