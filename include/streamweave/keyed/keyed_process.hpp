#pragma once
/// \file
/// `keyed_stream::process`: a keyed process function with per-key state and event-time timers,
/// as Flink's `KeyedProcessFunction` offers. For every record, `on_record(ctx, record)` runs
/// with the record's key; it may read and change that key's `State`, emit results, and ask with
/// `ctx.timer_at(t)` to be called back for this key once the input frontier passes `t`, where
/// `t` usually comes from the record ("close this auction at its `expires`").
///
/// Contract:
///  - State: one `State` per key, value-initialised on first use of `ctx.state()` in the
///    instance that owns the key; `clear_state()` frees it. All state is freed when the input
///    is done (after the last timers fired).
///  - Timers: `timer_at(t)` registers (key, t) once; registering it again is a no-op. A timer
///    fires when the input frontier passes `t` (no record at a time `<= t` can arrive any
///    more), by calling `on_timer(ctx, t)` with `ctx.key()` = its key. Timers fire in time
///    order; several keys' timers at one time fire in an unspecified order. A timer for a time
///    that has passed already (earlier than the batch time of the record that set it, or set
///    from `on_timer` at or before the time firing) fires once the current time is passed, at
///    the current time.
///  - Output: `ctx.emit(v)` emits at `ctx.time()`: the batch time of the record in
///    `on_record`, `max(t, time it was set at)` in `on_timer`. So a result of a timer at `t` is
///    complete at a probe downstream once `t` is.
///  - Clearing state keeps the key's timers; `on_timer` may find `!ctx.has_state()`.
///  - `stats` counts keys with state (`entries()`) and pending timer times (`timestamps()`).
///
/// Exceptions from `on_record` or `on_timer` fail the run (`execution::wait`).
///
/// Thread safety: each parallel instance owns its keys' state and timers and runs one
/// activation at a time; the functions are copied into every instance and need no locks.
#include <streamweave/keyed/keyed_stream.hpp>
#include <streamweave/graph/key_hash.hpp>

#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace streamweave {

namespace detail {

/// What a `keyed_process_context` calls on its operator: the per-key state and timers of one
/// instance. Implemented by `keyed_process_body`; virtual so that the context's type names only
/// the key, state and output types.
template <class K, class State>
class keyed_process_ops {
 public:
  virtual State& state_of(const K& k) = 0;
  virtual bool has_state(const K& k) const = 0;
  virtual void clear_state(const K& k) = 0;
  /// Timer (k, t), firing at max(t, cap.time()) with a capability derived from `cap`.
  virtual void add_timer(const capability& cap, const K& k, timestamp t) = 0;

 protected:
  ~keyed_process_ops() = default;
};

}  // namespace detail

/// What `on_record` and `on_timer` of `keyed_stream::process` see: the current key, its state,
/// the current time, and the calls that emit and set timers. Valid only during the call.
template <class K, class State, class U>
class keyed_process_context {
 public:
  keyed_process_context(detail::keyed_process_ops<K, State>& ops, output_port<U>& out, const capability& cap, const K& key)
      : ops_(&ops), out_(&out), cap_(&cap), key_(&key) {}

  /// The key of the record or timer being handled.
  const K& key() const noexcept { return *key_; }
  /// This key's state, value-initialised on first use.
  State& state() { return ops_->state_of(*key_); }
  bool has_state() const { return ops_->has_state(*key_); }
  /// Frees this key's state (its timers stay).
  void clear_state() { ops_->clear_state(*key_); }
  /// The time results are emitted at (see the file comment).
  timestamp time() const noexcept { return cap_->time(); }
  /// Emits `v` at `time()`.
  void emit(U v) { out_->give(*cap_, std::move(v)); }
  /// Calls `on_timer(ctx, t)` for this key once the input frontier passes `t` (once per
  /// (key, t)); a time already passed fires at `time()`.
  void timer_at(timestamp t) { ops_->add_timer(*cap_, *key_, t); }

 private:
  detail::keyed_process_ops<K, State>* ops_;
  output_port<U>* out_;
  const capability* cap_;
  const K* key_;
};

namespace detail {

/// Body of `keyed_stream::process` (one per instance).
template <class T, class K, class KeyFn, class State, class U, class OnRecord, class OnTimer>
class keyed_process_body final : public keyed_process_ops<K, State> {
 public:
  keyed_process_body(KeyFn key, OnRecord on_record, OnTimer on_timer, keyed_state_stats stats)
      : key_(std::move(key)), on_record_(std::move(on_record)), on_timer_(std::move(on_timer)), gauge_(std::move(stats)) {}

  void operator()(unary_context<T, U>& ctx) {
    ctx_ = &ctx;
    ctx.input.for_each([&](input_batch<T>& b) {
      if (b.records().empty()) return;
      const capability cap = b.retain();
      for (const T& r : b.records()) {
        const K k(key_(r));
        keyed_process_context<K, State, U> pc(*this, ctx.output, cap, k);
        on_record_(pc, r);
      }
    });
    ctx.for_each_notification([&](capability& cap) {
      auto node = timers_.extract(cap.time());
      if (node.empty()) return;
      gauge_.timestamps(-1);
      for (const auto& [k, requested] : node.mapped()) {
        keyed_process_context<K, State, U> pc(*this, ctx.output, cap, k);
        on_timer_(pc, requested);
      }
    });
    if (ctx.input.done() && timers_.empty() && !state_.empty()) {
      gauge_.entries(-static_cast<std::int64_t>(state_.size()));
      state_.clear();
    }
    ctx_ = nullptr;
  }

  State& state_of(const K& k) override {
    auto [it, fresh] = state_.try_emplace(k);
    if (fresh) gauge_.entries(1);
    return it->second;
  }
  bool has_state(const K& k) const override { return state_.contains(k); }
  void clear_state(const K& k) override {
    if (state_.erase(k) != 0) gauge_.entries(-1);
  }
  void add_timer(const capability& cap, const K& k, timestamp t) override {
    const timestamp at = std::max(t, cap.time());
    auto [slot, fresh] = timers_.try_emplace(at);
    if (fresh) {
      ctx_->notify_at(at == cap.time() ? capability(cap) : cap.delayed(at));
      gauge_.timestamps(1);
    }
    slot->second.try_emplace(k, t);  // the first request of (k, at) is kept
  }

 private:
  KeyFn key_;
  OnRecord on_record_;
  OnTimer on_timer_;
  key_map<K, State> state_;
  // Firing time -> the keys with a timer then, each with the time it asked for (<= firing time).
  std::map<timestamp, key_map<K, timestamp>> timers_;
  state_gauge gauge_;
  unary_context<T, U>* ctx_ = nullptr;  // during operator() only
};

}  // namespace detail

template <class T, class Key>
template <class U, class State, class OnRecord, class OnTimer>
stream<U> keyed_stream<T, Key>::process(std::string name, OnRecord on_record, OnTimer on_timer, keyed_state_stats stats) const {
  using context = keyed_process_context<key_type, State, U>;
  static_assert(std::is_invocable_v<OnRecord&, context&, const T&>, "process: on_record must be callable as on_record(ctx, const T&)");
  static_assert(std::is_invocable_v<OnTimer&, context&, timestamp>, "process: on_timer must be callable as on_timer(ctx, timestamp)");
  using body_type = detail::keyed_process_body<T, key_type, Key, State, U, OnRecord, OnTimer>;
  return stream_.template unary<U>(std::move(name), [key = key_, on_record = std::move(on_record), on_timer = std::move(on_timer),
                                                      stats = std::move(stats)](operator_setup& setup) {
    setup.drop_initial_capability();
    return body_type(key, on_record, on_timer, stats);
  });
}

}  // namespace streamweave
