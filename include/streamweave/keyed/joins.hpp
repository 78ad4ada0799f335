#pragma once
/// \file
/// Keyed joins of two keyed streams: `join` (unbounded equi-join), `interval_join` (event-time
/// bounded) and `join_table` (stream-table). Declared in keyed/keyed_stream.hpp.
///
/// Common rules:
///  - Both keyed streams must have the same key type (compile-time check) and the same number
///    of instances (`graph_error` naming the join otherwise): equal keys then meet in the same
///    instance. `f(const A&, const B&)` takes this stream's record first.
///  - `join` and `interval_join` emit a pair at the *later* of its two records' batch times,
///    `max(t_a, t_b)`, as soon as the second record is processed; the output does not depend
///    on which side arrives first or on scheduling.
///
/// Interval join time model. Batch times (the timestamps the frontier tracks) and event times
/// (`time_a(a)`, `time_b(b)`, in the same units) are related by one assumption: every record's
/// batch time is at most its event time (records are stamped with a watermark that does not
/// pass their event time; out-of-order event times are fine as long as this holds). Then `a`
/// can only match records `b` with `batch(b) <= time_a(a) + upper`, so `a` is freed once the
/// frontier of input b passes `time_a(a) + upper`; symmetrically `b` is freed once the frontier
/// of input a passes `time_b(b) + lower`.
/// A record whose event time is before its batch time breaks the assumption; it is counted in
/// `stats.late()` and treated by one deterministic rule that holds for every pair: `(a, b)` is
/// produced iff the keys are equal, `time_a(a) - lower <= time_b(b) <= time_a(a) + upper`,
/// `batch(b) <= time_a(a) + upper` and `batch(a) <= time_b(b) + lower`. Under the assumption
/// the last two conditions always hold; without it, exactly the pairs whose partner may
/// already have been freed are dropped, whatever the scheduling. Sums saturate at the largest
/// timestamp; `lower` and `upper` are non-negative, so the interval always contains `time_a(a)`.
///
/// Stream-table join. Table updates are buffered per timestamp and applied in timestamp order,
/// an update at `u` only once no stream record at a time `< u` can arrive or is waiting and
/// no update at a time `< u` can arrive any more; the records of this stream at `t` are joined
/// once the table input's frontier has passed `t` and every update at a time `<= t` is applied. Several updates to one key at the same timestamp
/// apply in arrival order, the last one winning: deterministic when they come in order from
/// one upstream instance (e.g. one input handle), otherwise send at most one update per key
/// and timestamp. State: the table rows (one per key), buffered records and updates; a
/// timestamp's buffers are freed when it is processed, and everything is freed when this
/// stream's input is done (no lookups can come any more). Updates arriving after that are
/// dropped.
///
/// Thread safety: each instance owns its state and runs one activation at a time.
#include <streamweave/error.hpp>
#include <streamweave/keyed/keyed_stream.hpp>
#include <streamweave/graph/key_hash.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace streamweave {

namespace detail {

/// `a + b`, saturating at the largest timestamp.
constexpr timestamp saturating_add(timestamp a, timestamp b) noexcept {
  return a > std::numeric_limits<timestamp>::max() - b ? std::numeric_limits<timestamp>::max() : a + b;
}

/// Capabilities at times later than the current batch's, minted once per batch.
class later_capabilities {
 public:
  /// A capability at `max(base.time(), t)`.
  const capability& at(const capability& base, timestamp t) {
    if (t <= base.time()) return base;
    for (auto& c : caps_)
      if (c.time() == t) return c;
    caps_.push_back(base.delayed(t));
    return caps_.back();
  }
  void clear() noexcept { caps_.clear(); }

 private:
  std::vector<capability> caps_;
};

/// Throws `graph_error` unless both keyed streams have the same number of instances.
inline void check_join_instances(const char* kind, const std::string& name, std::size_t a, std::size_t b) {
  if (a != b)
    throw graph_error(std::string(kind) + " '" + (name.empty() ? kind : name) + "': the keyed inputs have " +
                      std::to_string(a) + " and " + std::to_string(b) +
                      " instances; key both with the same n so that equal keys meet");
}

/// Body of the unbounded equi-join.
template <class A, class B, class K, class KeyA, class KeyB, class F>
class join_body {
 public:
  using out_type = std::decay_t<std::invoke_result_t<F&, const A&, const B&>>;
  join_body(KeyA ka, KeyB kb, F f, keyed_state_stats stats)
      : key_a_(std::move(ka)), key_b_(std::move(kb)), f_(std::move(f)), gauge_(std::move(stats)) {}

  void operator()(binary_context<A, B, out_type>& ctx) {
    // A record meets every kept partner with its key, then is kept unless no partner can come.
    auto arrive = [&](auto& input, const auto& key, auto& mine, const auto& partners, bool keep, auto pair) {
      input.for_each([&](auto& b) {
        if (b.records().empty()) return;
        const capability cap = b.retain();
        for (const auto& x : b.records()) {
          const K k = key(x);
          if (auto it = partners.find(k); it != partners.end())
            for (const auto& [t, other] : it->second) ctx.output.give(later_.at(cap, t), pair(x, other));
          if (keep) store(mine, k, b.time(), x);
        }
        later_.clear();
      });
    };
    arrive(ctx.input1, key_a_, left_, right_, !ctx.input2.done(), [&](const A& a, const B& r) { return f_(a, r); });
    arrive(ctx.input2, key_b_, right_, left_, !ctx.input1.done(), [&](const B& r, const A& a) { return f_(a, r); });
    if (ctx.input2.done()) release(left_);  // no b can come: the a's are useless
    if (ctx.input1.done()) release(right_);
  }

 private:
  template <class V>
  using side = detail::key_map<K, std::vector<std::pair<timestamp, V>>>;

  template <class V>
  void store(side<V>& s, const K& k, timestamp t, const V& v) {
    s[k].emplace_back(t, v);
    gauge_.entries(1);
  }
  template <class V>
  void release(side<V>& s) {
    std::int64_t n = 0;
    for (const auto& [k, rows] : s) n += static_cast<std::int64_t>(rows.size());
    s.clear();
    gauge_.entries(-n);
  }

  KeyA key_a_;
  KeyB key_b_;
  F f_;
  side<A> left_;
  side<B> right_;
  later_capabilities later_;
  state_gauge gauge_;
};

/// Body of the interval join (see the file comment for the rule).
template <class A, class B, class K, class KeyA, class KeyB, class TimeA, class TimeB, class F>
class interval_join_body {
 public:
  using out_type = std::decay_t<std::invoke_result_t<F&, const A&, const B&>>;
  interval_join_body(KeyA ka, KeyB kb, timestamp lower, timestamp upper, TimeA ta, TimeB tb, F f, keyed_state_stats stats)
      : key_a_(std::move(ka)),
        key_b_(std::move(kb)),
        lower_(lower),
        upper_(upper),
        time_a_(std::move(ta)),
        time_b_(std::move(tb)),
        f_(std::move(f)),
        gauge_(std::move(stats)) {}

  void operator()(binary_context<A, B, out_type>& ctx) {
    // A record x with event time ex meets the kept partners p with the same key and
    // ex - before <= event(p) <= ex + after (a: before = lower, after = upper; b: swapped),
    // under the rule's batch-time conditions, then is kept unless the other input's frontier
    // has passed ex + after (then no partner can come).
    auto arrive = [&](auto& input, const auto& key, const auto& time, auto& mine, const auto& partners, timestamp before,
                      timestamp after, timestamp other_frontier, auto pair) {
      input.for_each([&](auto& b) {
        if (b.records().empty()) return;
        const capability cap = b.retain();
        const timestamp batch = b.time();
        for (const auto& x : b.records()) {
          const timestamp ex = time(x);
          if (ex < batch) gauge_.late();
          const K k = key(x);
          const timestamp until = saturating_add(ex, after);
          if (auto it = partners.rows.find(k); it != partners.rows.end()) {
            const timestamp from = ex < before ? 0 : ex - before;
            for (auto p = it->second.lower_bound(from); p != it->second.end() && p->first <= until; ++p)
              if (p->second.batch <= until && batch <= saturating_add(p->first, before))
                ctx.output.give(later_.at(cap, p->second.batch), pair(x, p->second.record));
          }
          if (other_frontier <= until) store(mine, k, ex, until, batch, x);
        }
        later_.clear();
      });
    };
    arrive(ctx.input1, key_a_, time_a_, left_, right_, lower_, upper_, ctx.input2.frontier(),
           [&](const A& a, const B& r) { return f_(a, r); });
    arrive(ctx.input2, key_b_, time_b_, right_, left_, upper_, lower_, ctx.input1.frontier(),
           [&](const B& r, const A& a) { return f_(a, r); });
    expire(left_, ctx.input2.frontier(), upper_);
    expire(right_, ctx.input1.frontier(), lower_);
  }

 private:
  template <class V>
  struct row_type {
    timestamp batch;
    V record;
  };
  /// One side's kept records: per key, by event time; and when each can be freed.
  template <class V>
  struct side {
    detail::key_map<K, std::multimap<timestamp, row_type<V>>> rows;
    std::multimap<timestamp, K> expiry;  // (last time a partner's batch may have, key)
  };

  template <class V>
  void store(side<V>& s, const K& k, timestamp event, timestamp until, timestamp batch, const V& v) {
    s.rows[k].emplace(event, row_type<V>{batch, v});
    s.expiry.emplace(until, k);
    gauge_.entries(1);
  }

  /// Frees the records no partner can match any more: the other input's frontier passed
  /// their bound, `event + offset` (or the other input is done).
  template <class V>
  void expire(side<V>& s, timestamp other_frontier, timestamp offset) {
    const bool done = other_frontier == detail::empty_frontier;
    while (!s.expiry.empty() && (done || s.expiry.begin()->first < other_frontier)) {
      const timestamp bound = s.expiry.begin()->first;
      auto it = s.rows.find(s.expiry.begin()->second);
      s.expiry.erase(s.expiry.begin());
      if (it == s.rows.end()) continue;
      // Rows of a key are ordered by event time, and their bound grows with it: free the prefix.
      auto& rows = it->second;
      std::int64_t n = 0;
      while (!rows.empty() && (done || saturating_add(rows.begin()->first, offset) <= bound)) {
        rows.erase(rows.begin());
        ++n;
      }
      if (rows.empty()) s.rows.erase(it);
      gauge_.entries(-n);
    }
  }

  KeyA key_a_;
  KeyB key_b_;
  timestamp lower_;
  timestamp upper_;
  TimeA time_a_;
  TimeB time_b_;
  F f_;
  side<A> left_;
  side<B> right_;
  later_capabilities later_;
  state_gauge gauge_;
};

/// Body of the stream-table join (see the file comment for the rule).
template <class A, class B, class K, class KeyA, class KeyB, class F>
class table_join_body {
 public:
  using out_type = std::decay_t<std::invoke_result_t<F&, const A&, const B&>>;
  table_join_body(KeyA ka, KeyB kb, F f, keyed_state_stats stats)
      : key_a_(std::move(ka)), key_b_(std::move(kb)), f_(std::move(f)), gauge_(std::move(stats)) {}

  void operator()(binary_context<A, B, out_type>& ctx) {
    ctx.input1.for_each([&](input_batch<A>& b) {
      if (b.records().empty()) return;
      auto [it, fresh] = records_.try_emplace(b.time());
      if (fresh) {
        it->second.cap = b.retain();
        gauge_.timestamps(1);
      }
      it->second.records.insert(it->second.records.end(), b.records().begin(), b.records().end());
      gauge_.entries(static_cast<std::int64_t>(b.records().size()));
    });
    ctx.input2.for_each([&](input_batch<B>& b) {
      if (b.records().empty() || lookups_over(ctx)) return;  // nobody will read the table
      auto [it, fresh] = updates_.try_emplace(b.time());
      if (fresh) {
        it->second.cap = b.retain();
        gauge_.timestamps(1);
      }
      it->second.records.insert(it->second.records.end(), b.records().begin(), b.records().end());
      gauge_.entries(static_cast<std::int64_t>(b.records().size()));
    });
    advance(ctx.input1.frontier(), ctx.input2.frontier(), ctx.output);
    if (lookups_over(ctx)) release();
  }

 private:
  /// Buffered records or updates of one timestamp. Updates hold a capability too, although
  /// they emit nothing: the output frontier then passes a time only once its updates are in
  /// the table, so the state counts are exact whenever a downstream probe reports a time.
  template <class V>
  struct pending {
    capability cap;
    std::vector<V> records;
  };

  bool lookups_over(binary_context<A, B, out_type>& ctx) const { return ctx.input1.done() && records_.empty(); }

  /// Applies updates and joins records in timestamp order, as far as the frontiers allow.
  void advance(timestamp stream_frontier, timestamp table_frontier, output_port<out_type>& out) {
    for (;;) {
      const bool have_updates = !updates_.empty(), have_records = !records_.empty();
      if (have_updates && (!have_records || updates_.begin()->first <= records_.begin()->first) &&
          stream_frontier >= updates_.begin()->first && table_frontier >= updates_.begin()->first) {
        apply(updates_.begin());
      } else if (have_records && (!have_updates || records_.begin()->first < updates_.begin()->first) &&
                 table_frontier > records_.begin()->first) {
        join(records_.begin(), out);
      } else {
        return;
      }
    }
  }
  void apply(typename std::map<timestamp, pending<B>>::iterator it) {
    std::int64_t added = 0;
    for (B& u : it->second.records) {
      auto [row, fresh] = table_.insert_or_assign(key_b_(u), std::move(u));
      added += fresh ? 1 : 0;
    }
    gauge_.entries(added - static_cast<std::int64_t>(it->second.records.size()));
    gauge_.timestamps(-1);
    updates_.erase(it);
  }
  void join(typename std::map<timestamp, pending<A>>::iterator it, output_port<out_type>& out) {
    const auto& [cap, records] = it->second;
    for (const A& r : records)
      if (auto row = table_.find(key_a_(r)); row != table_.end()) out.give(cap, f_(r, row->second));
    gauge_.entries(-static_cast<std::int64_t>(records.size()));
    gauge_.timestamps(-1);
    records_.erase(it);
  }
  void release() {
    std::int64_t n = static_cast<std::int64_t>(table_.size());
    for (const auto& [t, u] : updates_) n += static_cast<std::int64_t>(u.records.size());
    gauge_.entries(-n);
    gauge_.timestamps(-static_cast<std::int64_t>(updates_.size()));
    table_.clear();
    updates_.clear();
  }

  KeyA key_a_;
  KeyB key_b_;
  F f_;
  std::map<timestamp, pending<A>> records_;  // stream records waiting for the table
  std::map<timestamp, pending<B>> updates_;  // table updates not applied yet
  detail::key_map<K, B> table_;                // the latest applied update per key
  state_gauge gauge_;
};

/// Adds the binary node of a keyed join of `a` and `b` (after checking their instances):
/// every instance's body is `make()`.
template <class Body, class T, class U, class Make>
stream<typename Body::out_type> keyed_join_node(const char* kind, const stream<T>& a, const stream<U>& b, std::string name,
                                                Make make) {
  check_join_instances(kind, name, a.consumer_parallelism(), b.consumer_parallelism());
  return a.template binary<typename Body::out_type>(b, std::move(name), [make = std::move(make)](operator_setup& setup) {
    setup.drop_initial_capability();
    return make();
  });
}

}  // namespace detail

template <class T, class Key>
template <class U, class Key2, class F>
auto keyed_stream<T, Key>::join(const keyed_stream<U, Key2>& other, std::string name, F f, keyed_state_stats stats) const
    -> stream<std::decay_t<std::invoke_result_t<F&, const T&, const U&>>> {
  static_assert(std::is_same_v<key_type, typename keyed_stream<U, Key2>::key_type>,
                "join: both keyed streams must have the same key type");
  using body_type = detail::join_body<T, U, key_type, Key, Key2, F>;
  return detail::keyed_join_node<body_type>(
      "join", stream_, other.exchanged(), std::move(name),
      [ka = key_, kb = other.key(), f = std::move(f), stats = std::move(stats)] { return body_type(ka, kb, f, stats); });
}

template <class T, class Key>
template <class U, class Key2, class TimeA, class TimeB, class F>
auto keyed_stream<T, Key>::interval_join(const keyed_stream<U, Key2>& other, timestamp lower, timestamp upper,
                                         TimeA time_a, TimeB time_b, std::string name, F f, keyed_state_stats stats) const
    -> stream<std::decay_t<std::invoke_result_t<F&, const T&, const U&>>> {
  static_assert(std::is_same_v<key_type, typename keyed_stream<U, Key2>::key_type>,
                "interval_join: both keyed streams must have the same key type");
  static_assert(std::is_convertible_v<std::invoke_result_t<const TimeA&, const T&>, timestamp> &&
                    std::is_convertible_v<std::invoke_result_t<const TimeB&, const U&>, timestamp>,
                "interval_join: time_a(const T&) and time_b(const U&) must return event times (timestamps)");
  using body_type = detail::interval_join_body<T, U, key_type, Key, Key2, TimeA, TimeB, F>;
  auto joined = detail::keyed_join_node<body_type>(
      "interval_join", stream_, other.exchanged(), std::move(name),
      [ka = key_, kb = other.key(), lower, upper, ta = std::move(time_a), tb = std::move(time_b), f = std::move(f),
       stats = std::move(stats)] { return body_type(ka, kb, lower, upper, ta, tb, f, stats); });
  detail::graph_access::mark_reads_event_time(joined);
  return joined;
}

template <class T, class Key>
template <class U, class Key2, class F>
auto keyed_stream<T, Key>::join_table(const keyed_stream<U, Key2>& table, std::string name, F f,
                                      keyed_state_stats stats) const
    -> stream<std::decay_t<std::invoke_result_t<F&, const T&, const U&>>> {
  static_assert(std::is_same_v<key_type, typename keyed_stream<U, Key2>::key_type>,
                "join_table: both keyed streams must have the same key type");
  using body_type = detail::table_join_body<T, U, key_type, Key, Key2, F>;
  return detail::keyed_join_node<body_type>(
      "join_table", stream_, table.exchanged(), std::move(name),
      [ka = key_, kb = table.key(), f = std::move(f), stats = std::move(stats)] { return body_type(ka, kb, f, stats); });
}

}  // namespace streamweave
