#pragma once
/// \file
/// The per-instance logic of windowed operators (used by window/windowed_stream.hpp). Each core
/// is the state of one operator instance, driven by its generic-operator body; outputs are
/// port 0 (results) and port 1 (late records; 1 and 2 for a join's two inputs).
///
/// Event-time cores (`event_window_core`, `window_join_core`) buffer each record until its
/// batch time `b` is complete (the input frontier passed it), then, for each complete time in
/// increasing order: fire every window whose fire time is before `b`, then assign the records
/// of `b`. Results therefore depend only on the records and their batch times, never on
/// scheduling. A window fires (its results are emitted, at its fire time
/// `end - 1 + lateness`, see `window_fire_time`) once the frontier passes that time; its state
/// is released then. Every record with batch time `b` is on time for a window whose fire time
/// is `>= b`, so the capability retained from it can always be delayed to the fire time.
#include <streamweave/operators/generic.hpp>
#include <streamweave/window/assigners.hpp>
#include <streamweave/window/window_options.hpp>
#include <streamweave/window/window_state.hpp>
#include <streamweave/graph/key_hash.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamweave::detail {

template <class KeyFn, class T>
using key_of = std::decay_t<std::invoke_result_t<const KeyFn&, const T&>>;

/// What the single-input window cores share: the key function, the aggregator and finisher,
/// the live (key, window) state, and emitting a window's result.
template <class T, class KeyFn, class Agg, class Fin>
class window_core_base {
 public:
  using key_type = key_of<KeyFn, T>;
  using acc_type = std::decay_t<decltype(std::declval<const Agg&>().init())>;
  using out_type = std::decay_t<std::invoke_result_t<const Fin&, const key_type&, const window&, acc_type&&>>;
  using result_type = window_result<key_type, out_type>;

 protected:
  window_core_base(KeyFn key, Agg agg, Fin fin, const window_stats& stats)
      : key_(std::move(key)), agg_(std::move(agg)), fin_(std::move(fin)), state_(stats) {}

  /// Emits the result of `(k, w)` at `cap` on port 0 and releases its state; nothing when the
  /// pair no longer exists.
  template <class Ctx>
  void fire(Ctx& ctx, const capability& cap, const key_type& k, const window& w) {
    state_.take(k, w, [&](acc_type&& acc) { emit(ctx, cap, k, w, std::move(acc)); });
  }
  template <class Ctx>
  void emit(Ctx& ctx, const capability& cap, const key_type& k, const window& w, acc_type&& acc) {
    ctx.template output<0>().give(cap, result_type{k, w, fin_(k, w, std::move(acc))});
    state_.stats().add_fired(1);
  }

  KeyFn key_;
  Agg agg_;
  Fin fin_;
  keyed_windows<key_type, acc_type> state_;
};

/// Keyed event-time windows (tumbling, sliding or session) aggregated by `Agg`
/// (`init`, `accumulate`, and `merge` for session windows) and finished by
/// `Fin(const Key&, const window&, Acc&&) -> Out`.
template <class T, class KeyFn, class Assigner, class EventTime, class Agg, class Fin>
class event_window_core : public window_core_base<T, KeyFn, Agg, Fin> {
  using base = window_core_base<T, KeyFn, Agg, Fin>;
  using typename base::acc_type;
  using typename base::key_type;

 public:
  event_window_core(KeyFn key, Assigner assigner, EventTime event_time, Agg agg, Fin fin, timestamp lateness,
                    const window_stats& stats)
      : base(std::move(key), std::move(agg), std::move(fin), stats), assigner_(std::move(assigner)),
        event_time_(std::move(event_time)), lateness_(lateness), stash_(stats) {}

  template <class Ctx>
  void run(Ctx& ctx) {
    auto& in = ctx.template input<0>();
    stash_.receive(in, [](auto& payload) -> auto& { return payload; });
    const timestamp frontier = in.frontier();
    stash_.drain_before(frontier, [&](timestamp t, auto& e) {
      fire_before(t, ctx);
      for (const T& r : e.payload) assign(t, r, e.caps, ctx);
    });
    fire_before(frontier, ctx);
  }

 private:
  template <class Caps, class Ctx>
  void assign(timestamp b, const T& r, const Caps& caps, Ctx& ctx) {
    windows_.clear();
    assigner_.assign(static_cast<timestamp>(event_time_(r)), windows_);
    const key_type k = this->key_(r);
    bool on_time = false;
    for (const window& w : windows_) {
      const timestamp at = window_fire_time(w, lateness_);
      if (b > at) continue;  // late for this window: b >= w.end + lateness
      on_time = true;
      if constexpr (Assigner::merging)
        merge_session(k, w, r, caps[0]);
      else
        add(k, w, at, r, caps[0]);
    }
    if (!on_time) {
      ctx.template output<1>().give(caps[1], r);
      this->state_.stats().add_late(1);
    }
  }

  void add(const key_type& k, const window& w, timestamp at, const T& r, const capability& cap) {
    bool created = false;
    acc_type& acc = this->state_.get(k, w, [&] { return this->agg_.init(); }, created);
    this->agg_.accumulate(acc, r);
    if (created) schedule_.add(at, cap, k, w);
  }

  /// Merges `[w.start, w.end)` with every session of `k` it overlaps or touches.
  void merge_session(const key_type& k, window w, const T& r, const capability& cap) {
    auto& sessions = this->state_.of(k);
    acc_type acc = this->agg_.init();
    auto it = sessions.lower_bound(window{w.start, 0});
    if (it != sessions.begin() && std::prev(it)->first.end >= w.start) --it;
    std::size_t merged = 0;
    window first{};
    while (it != sessions.end() && it->first.start <= w.end) {
      if (merged++ == 0) first = it->first;
      w.start = std::min(w.start, it->first.start);
      w.end = std::max(w.end, it->first.end);
      this->agg_.merge(acc, std::move(it->second));
      it = sessions.erase(it);
    }
    this->agg_.accumulate(acc, r);
    sessions.emplace(w, std::move(acc));
    this->state_.count(1 - static_cast<std::int64_t>(merged));  // one update of the shared stats
    // A record inside one session changes nothing: that session is scheduled already.
    if (merged != 1 || first != w) schedule_.add(window_fire_time(w, lateness_), cap, k, w);
  }

  template <class Ctx>
  void fire_before(timestamp limit, Ctx& ctx) {
    // A session merged into a later one is still scheduled: `fire` finds no state for it and
    // emits nothing.
    schedule_.fire_before(limit, [&](const capability& cap, const key_type& k, const window& w) { this->fire(ctx, cap, k, w); });
  }

  Assigner assigner_;
  EventTime event_time_;
  timestamp lateness_;
  std::vector<window> windows_;  // scratch
  time_stash<std::vector<T>, 2> stash_;
  fire_schedule<key_type> schedule_;
};

/// Count windows (assigners.hpp `count_windows`): records are numbered per key in batch-time
/// order once their time is complete; every `count`-th record closes a window, emitted at that
/// record's batch time. Never late (port 1 stays empty). Keeps one small entry per key ever
/// seen (its window number); `live_windows` counts the keys with a partial window.
template <class T, class KeyFn, class Agg, class Fin>
class count_window_core : public window_core_base<T, KeyFn, Agg, Fin> {
  using base = window_core_base<T, KeyFn, Agg, Fin>;
  using typename base::acc_type;
  using typename base::key_type;

 public:
  count_window_core(KeyFn key, count_windows assigner, Agg agg, Fin fin, const window_stats& stats)
      : base(std::move(key), std::move(agg), std::move(fin), stats), n_(assigner.count), stash_(stats) {}

  template <class Ctx>
  void run(Ctx& ctx) {
    auto& in = ctx.template input<0>();
    stash_.receive(in, [](auto& payload) -> auto& { return payload; });
    stash_.drain_before(in.frontier(), [&](timestamp, auto& e) {
      for (const T& r : e.payload) add(r, e.caps[0], ctx);
    });
  }

 private:
  template <class Ctx>
  void add(const T& r, const capability& cap, Ctx& ctx) {
    const key_type k = this->key_(r);
    auto& [index, filled] = keys_[k];
    const window w{static_cast<timestamp>(index * n_), static_cast<timestamp>((index + 1) * n_)};
    bool created = false;
    acc_type& acc = this->state_.get(k, w, [&] { return this->agg_.init(); }, created);
    this->agg_.accumulate(acc, r);
    if (++filled < n_) return;
    filled = 0;
    ++index;
    this->fire(ctx, cap, k, w);
  }

  std::size_t n_;
  time_stash<std::vector<T>, 2> stash_;
  struct per_key {
    std::size_t closed = 0;  // windows closed so far (the open window's number)
    std::size_t filled = 0;  // records in the open window
  };
  key_map<key_type, per_key> keys_;  // per key ever seen
};

/// Processing-time tumbling windows: a record is assigned when the operator receives it, by
/// the steady clock. A window fires when the clock reaches its end (a timer wakes the
/// operator) or when the input ends, whichever comes first. Its results are emitted at the
/// earliest batch time among its records (a capability retained from that record). Never late.
template <class T, class KeyFn, class Agg, class Fin>
class processing_window_core : public window_core_base<T, KeyFn, Agg, Fin> {
  using base = window_core_base<T, KeyFn, Agg, Fin>;
  using typename base::acc_type;
  using typename base::key_type;

 public:
  processing_window_core(KeyFn key, processing_time_windows assigner, Agg agg, Fin fin, const window_stats& stats)
      : base(std::move(key), std::move(agg), std::move(fin), stats), assigner_(assigner) {}

  template <class Ctx>
  void run(Ctx& ctx) {
    auto& in = ctx.template input<0>();
    in.for_each([&](input_batch<T>& b) {
      if (b.records().empty()) return;
      windows_.clear();
      assigner_.assign(processing_time_windows::now(), windows_);
      const window w = windows_.front();
      const capability cap = b.retain(0);
      if (!schedule_.has(w.end)) {  // the window's first record: ask for a wake-up at its end
        ctx.wake_at(std::chrono::steady_clock::time_point(
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::milliseconds(w.end))));
      }
      for (const T& r : b.records()) {
        const key_type k = this->key_(r);
        bool created = false;
        acc_type& acc = this->state_.get(k, w, [&] { return this->agg_.init(); }, created);
        this->agg_.accumulate(acc, r);
        if (created) schedule_.add(w.end, cap, k, w, /*delay=*/false);
      }
      schedule_.lower(w.end, cap);
    });
    // The end of input fires everything; otherwise the windows whose end the clock reached.
    const timestamp limit = in.done() ? ~timestamp{0} : processing_time_windows::now() + 1;
    schedule_.fire_before(limit, [&](const capability& cap, const key_type& k, const window& w) { this->fire(ctx, cap, k, w); });
  }

 private:
  processing_time_windows assigner_;
  std::vector<window> windows_;                 // scratch
  fire_schedule<key_type> schedule_;            // keyed by window end (wall clock)
};

/// Windowed join: both inputs keyed alike and windowed by the same non-merging assigner; when
/// window `w` fires, `f(key, w, a, b)` is emitted for every pair of records of the same key in
/// `w`, one from each input. Late records go to port 1 (input 1) or 2 (input 2).
template <class T1, class T2, class KeyFn1, class KeyFn2, class Assigner, class Time1, class Time2, class F>
class window_join_core {
 public:
  using key_type = key_of<KeyFn1, T1>;
  using out_type = std::decay_t<std::invoke_result_t<const F&, const key_type&, const window&, const T1&, const T2&>>;
  using acc_type = std::pair<std::vector<T1>, std::vector<T2>>;

  window_join_core(KeyFn1 key1, KeyFn2 key2, Assigner assigner, Time1 time1, Time2 time2, F f, timestamp lateness,
                   const window_stats& stats)
      : key1_(std::move(key1)), key2_(std::move(key2)), assigner_(std::move(assigner)), time1_(std::move(time1)),
        time2_(std::move(time2)), f_(std::move(f)), lateness_(lateness), stash_(stats), state_(stats) {}

  template <class Ctx>
  void run(Ctx& ctx) {
    auto& in1 = ctx.template input<0>();
    auto& in2 = ctx.template input<1>();
    stash_.receive(in1, [](acc_type& payload) -> auto& { return payload.first; });
    stash_.receive(in2, [](acc_type& payload) -> auto& { return payload.second; });
    const timestamp frontier = std::min(in1.frontier(), in2.frontier());
    stash_.drain_before(frontier, [&](timestamp t, auto& e) {
      fire_before(t, ctx);
      for (const T1& r : e.payload.first) assign<0>(t, r, key1_(r), time1_(r), e.caps, ctx);
      for (const T2& r : e.payload.second) assign<1>(t, r, key2_(r), time2_(r), e.caps, ctx);
    });
    fire_before(frontier, ctx);
  }

 private:
  template <std::size_t Side, class R, class Caps, class Ctx>
  void assign(timestamp b, const R& r, const key_type& k, timestamp event_time, const Caps& caps, Ctx& ctx) {
    windows_.clear();
    assigner_.assign(event_time, windows_);
    bool on_time = false;
    for (const window& w : windows_) {
      const timestamp at = window_fire_time(w, lateness_);
      if (b > at) continue;
      on_time = true;
      bool created = false;
      acc_type& acc = state_.get(k, w, [] { return acc_type{}; }, created);
      std::get<Side>(acc).push_back(r);
      if (created) schedule_.add(at, caps[0], k, w);
    }
    if (!on_time) {
      ctx.template output<Side + 1>().give(caps[Side + 1], r);
      state_.stats().add_late(1);
    }
  }

  template <class Ctx>
  void fire_before(timestamp limit, Ctx& ctx) {
    schedule_.fire_before(limit, [&](const capability& cap, const key_type& k, const window& w) {
      state_.take(k, w, [&](acc_type&& acc) {
        for (const T1& a : acc.first)
          for (const T2& b : acc.second) ctx.template output<0>().give(cap, f_(k, w, a, b));
        state_.stats().add_fired(1);
      });
    });
  }

  KeyFn1 key1_;
  KeyFn2 key2_;
  Assigner assigner_;
  Time1 time1_;
  Time2 time2_;
  F f_;
  timestamp lateness_;
  std::vector<window> windows_;
  time_stash<acc_type, 3> stash_;
  fire_schedule<key_type> schedule_;
  keyed_windows<key_type, acc_type> state_;
};

}  // namespace streamweave::detail
