#pragma once
/// \file
/// Keyed aggregations of `keyed_stream<T, Key>`: per key and timestamp (`count`, `reduce`,
/// `aggregate`), emitted when the input frontier passes the timestamp; running (`running_*`),
/// emitted after every record; and over the whole input (`final_aggregate`), emitted once the
/// input is done. Declared, with their contracts, in keyed/keyed_stream.hpp.
///
/// Per-timestamp state lives in a map from timestamp to the keys' accumulators; a
/// notification at the timestamp (requested with the first batch of that timestamp) emits
/// every key's result with the notification's capability and erases the timestamp, so memory
/// is bounded by the timestamps not yet complete, never by the number of past epochs.
///
/// Thread safety: each parallel instance owns its state and runs one activation at a time.
#include <streamweave/keyed/keyed_stream.hpp>
#include <streamweave/graph/key_hash.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace streamweave {

namespace detail {

/// The accumulator of key `k` in `accs`, created with `agg.init()` (and counted) when new.
template <class K, class A, class Agg>
A& accumulator_slot(key_map<K, A>& accs, const K& k, const Agg& agg, state_gauge& gauge) {
  auto it = accs.find(k);
  if (it == accs.end()) {
    it = accs.emplace(k, agg.init()).first;
    gauge.entries(1);
  }
  return it->second;
}

/// Body of a per-timestamp keyed aggregation (one per instance).
template <class T, class K, class Key, class Agg>
class per_time_aggregate {
 public:
  using out_type = std::pair<K, aggregator_result_t<Agg>>;
  per_time_aggregate(Key key, Agg agg, keyed_state_stats stats)
      : key_(std::move(key)), agg_(std::move(agg)), gauge_(std::move(stats)) {}

  void operator()(unary_context<T, out_type>& ctx) {
    ctx.input.for_each([&](input_batch<T>& b) {
      if (b.records().empty()) return;
      auto [slot, fresh] = pending_.try_emplace(b.time());
      if (fresh) {
        ctx.notify_at(b.retain());
        gauge_.timestamps(1);
      }
      auto& accs = slot->second;
      for (const T& r : b.records()) agg_.accumulate(accumulator_slot(accs, K(key_(r)), agg_, gauge_), r);
    });
    ctx.for_each_notification([&](capability& cap) {
      auto node = pending_.extract(cap.time());
      if (node.empty()) return;
      auto& accs = node.mapped();
      const auto n = static_cast<std::int64_t>(accs.size());
      for (auto& [k, acc] : accs) ctx.output.give(cap, out_type(k, agg_.finish(std::move(acc))));
      gauge_.entries(-n);
      gauge_.timestamps(-1);
    });
  }

 private:
  Key key_;
  Agg agg_;
  std::map<timestamp, key_map<K, aggregator_accumulator_t<Agg>>> pending_;
  state_gauge gauge_;
};

/// Body of a running keyed aggregation (one per instance).
template <class T, class K, class Key, class Agg>
class running_aggregate {
 public:
  using out_type = std::pair<K, aggregator_result_t<Agg>>;
  running_aggregate(Key key, Agg agg, keyed_state_stats stats)
      : key_(std::move(key)), agg_(std::move(agg)), gauge_(std::move(stats)) {}

  void operator()(unary_context<T, out_type>& ctx) {
    ctx.input.for_each([&](input_batch<T>& b) {
      if (b.records().empty()) return;
      const capability cap = b.retain();
      for (const T& r : b.records()) {
        K k = key_(r);
        auto& acc = accumulator_slot(state_, k, agg_, gauge_);
        agg_.accumulate(acc, r);
        ctx.output.give(cap, out_type(std::move(k), finish_copy(agg_, acc)));
      }
    });
    if (ctx.input.done() && !state_.empty()) {
      gauge_.entries(-static_cast<std::int64_t>(state_.size()));
      state_.clear();
    }
  }

 private:
  Key key_;
  Agg agg_;
  key_map<K, aggregator_accumulator_t<Agg>> state_;
  state_gauge gauge_;
};

/// Body of a keyed aggregation over the whole input (one per instance): accumulates every
/// record, whatever its time, and emits once the input is done. It holds a capability at the
/// earliest batch time it has seen (a batch may arrive at a time earlier than an earlier
/// batch's while the frontier allows it), which is what lets it emit at the end, and emits at
/// the latest batch time seen.
template <class T, class K, class Key, class Agg>
class final_aggregate_body {
 public:
  using out_type = std::pair<K, aggregator_result_t<Agg>>;
  final_aggregate_body(Key key, Agg agg, keyed_state_stats stats)
      : key_(std::move(key)), agg_(std::move(agg)), gauge_(std::move(stats)) {}

  void operator()(unary_context<T, out_type>& ctx) {
    ctx.input.for_each([&](input_batch<T>& b) {
      if (b.records().empty()) return;
      if (!earliest_ || b.time() < earliest_.time()) earliest_ = b.retain();
      latest_ = std::max(latest_, b.time());
      for (const T& r : b.records()) agg_.accumulate(accumulator_slot(state_, K(key_(r)), agg_, gauge_), r);
    });
    if (!ctx.input.done() || !earliest_) return;
    const capability at_end = earliest_.delayed(latest_);
    for (auto& [k, acc] : state_) ctx.output.give(at_end, out_type(k, agg_.finish(std::move(acc))));
    gauge_.entries(-static_cast<std::int64_t>(state_.size()));
    state_.clear();
    earliest_.reset();
  }

 private:
  Key key_;
  Agg agg_;
  key_map<K, aggregator_accumulator_t<Agg>> state_;
  capability earliest_;
  timestamp latest_ = 0;
  state_gauge gauge_;
};

}  // namespace detail

template <class T, class Key>
template <class Agg>
stream<std::pair<typename keyed_stream<T, Key>::key_type, aggregator_result_t<Agg>>> keyed_stream<T, Key>::final_aggregate(
    std::string name, Agg agg, keyed_state_stats stats) const {
  static_assert(aggregator_for<Agg, T>, "final_aggregate: Agg must model aggregator_for<Agg, T> (keyed/aggregator.hpp)");
  using body_type = detail::final_aggregate_body<T, key_type, Key, Agg>;
  return stream_.template unary<typename body_type::out_type>(
      std::move(name), [key = key_, agg = std::move(agg), stats = std::move(stats)](operator_setup& setup) {
        setup.drop_initial_capability();
        return body_type(key, agg, stats);
      });
}

template <class T, class Key>
template <class Agg>
stream<std::pair<typename keyed_stream<T, Key>::key_type, aggregator_result_t<Agg>>> keyed_stream<T, Key>::aggregate(
    std::string name, Agg agg, keyed_state_stats stats) const {
  static_assert(aggregator_for<Agg, T>, "aggregate: Agg must model aggregator_for<Agg, T> (keyed/aggregator.hpp)");
  using body_type = detail::per_time_aggregate<T, key_type, Key, Agg>;
  return stream_.template unary<typename body_type::out_type>(
      std::move(name), [key = key_, agg = std::move(agg), stats = std::move(stats)](operator_setup& setup) {
        setup.drop_initial_capability();
        return body_type(key, agg, stats);
      });
}

template <class T, class Key>
template <class Agg>
stream<std::pair<typename keyed_stream<T, Key>::key_type, aggregator_result_t<Agg>>>
keyed_stream<T, Key>::running_aggregate(std::string name, Agg agg, keyed_state_stats stats) const {
  static_assert(aggregator_for<Agg, T>, "running_aggregate: Agg must model aggregator_for<Agg, T> (keyed/aggregator.hpp)");
  using body_type = detail::running_aggregate<T, key_type, Key, Agg>;
  return stream_.template unary<typename body_type::out_type>(
      std::move(name), [key = key_, agg = std::move(agg), stats = std::move(stats)](operator_setup& setup) {
        setup.drop_initial_capability();
        return body_type(key, agg, stats);
      });
}

template <class T, class Key>
stream<std::pair<typename keyed_stream<T, Key>::key_type, std::uint64_t>> keyed_stream<T, Key>::count(
    std::string name, keyed_state_stats stats) const {
  return aggregate(std::move(name), count_aggregator{}, std::move(stats));
}

template <class T, class Key>
stream<std::pair<typename keyed_stream<T, Key>::key_type, std::uint64_t>> keyed_stream<T, Key>::running_count(
    std::string name, keyed_state_stats stats) const {
  return running_aggregate(std::move(name), count_aggregator{}, std::move(stats));
}

template <class T, class Key>
template <class F>
stream<std::pair<typename keyed_stream<T, Key>::key_type, T>> keyed_stream<T, Key>::reduce(std::string name, F f,
                                                                                        keyed_state_stats stats) const {
  static_assert(std::is_convertible_v<std::invoke_result_t<const F&, T, const T&>, T>,
                "reduce: f must be callable as f(T acc, const T& r) -> T");
  return aggregate(std::move(name), reduce_aggregator<T, F>{std::move(f)}, std::move(stats));
}

template <class T, class Key>
template <class F>
stream<std::pair<typename keyed_stream<T, Key>::key_type, T>> keyed_stream<T, Key>::running_reduce(
    std::string name, F f, keyed_state_stats stats) const {
  static_assert(std::is_convertible_v<std::invoke_result_t<const F&, T, const T&>, T>,
                "running_reduce: f must be callable as f(T acc, const T& r) -> T");
  return running_aggregate(std::move(name), reduce_aggregator<T, F>{std::move(f)}, std::move(stats));
}

}  // namespace streamweave
