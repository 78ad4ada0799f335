#pragma once
/// \file
/// The generic operator API: write an operator as a body that sees input batches with their
/// timestamps, its input frontiers, holds capabilities to emit later, and asks to be notified
/// when its input frontiers pass a time. Windows, joins and keyed aggregations are built on it.
///
/// A generic operator is created by `stream<T>::unary` or `stream<T>::binary` with a *builder*:
///
///     auto counts = words.unary<std::pair<timestamp, std::size_t>>("count per epoch",
///         [](streamweave::operator_setup& setup) {
///           setup.drop_initial_capability();
///           std::map<timestamp, std::size_t> pending;  // state, one copy per instance
///           return [pending](streamweave::unary_context<std::string, std::pair<timestamp, std::size_t>>& ctx) mutable {
///             ctx.input.for_each([&](streamweave::input_batch<std::string>& b) {
///               if (pending[b.time()] == 0) ctx.notify_at(b.retain());
///               pending[b.time()] += b.records().size();
///             });
///             ctx.for_each_notification([&](streamweave::capability& cap) {
///               ctx.output.give(cap, {cap.time(), pending[cap.time()]});
///               pending.erase(cap.time());
///             });
///           };
///         });
///
/// Contract:
///  - The builder runs once per parallel instance before the run starts; the body it returns
///    is that instance's state and runs in one activation at a time (no locks needed).
///  - The body is called whenever input arrives or an input frontier changes. It should
///    consume what `for_each` offers; batches it leaves are offered again next time. A body
///    that leaves input (waiting for another input's frontier, say) is not called again until
///    more input arrives or a frontier changes: it never spins.
///  - `retain()` on an input batch mints a capability at the batch's time: that is how an
///    operator keeps the right to emit after the batch is gone. Dropping a capability releases
///    it; a capability kept forever stops time at that point downstream.
///  - A notification requested with `notify_at(cap)` is delivered, with its capability, once
///    every input frontier has passed `cap.time()` (no record at a time `<= cap.time()` can
///    arrive any more). Each delivery hands over the ready ones in time order. A request for a
///    time that has already passed is delivered by the next `for_each_notification`: in the
///    same call when made from inside its callback (re-arming; after the ones of that pass),
///    else in the body's next call, which the runtime makes right away. Calling
///    `for_each_notification` from inside its own callback throws `usage_error`.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/error.hpp>
#include <streamweave/progress/capability.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

namespace streamweave {

/// Given to a generic operator's builder, once per instance.
class operator_setup {
 public:
  operator_setup(const detail::instance_info& info, std::vector<capability> initial)
      : info_(info), initial_(std::move(initial)) {}
  /// The capability at time 0 for output `port` that every generic operator instance starts
  /// with. Take it to emit without input (e.g. a timer); otherwise it is dropped after the
  /// builder returns.
  capability initial_capability(std::size_t port = 0) { return std::move(initial_.at(port)); }
  void drop_initial_capability() {
    for (auto& c : initial_) c.reset();
  }
  std::size_t instance_index() const noexcept { return info_.index; }
  std::size_t instance_count() const noexcept { return info_.count; }
  const std::string& name() const noexcept { return *info_.name; }

 private:
  const detail::instance_info& info_;
  std::vector<capability> initial_;
};

/// One input batch as a generic operator sees it.
template <class T>
class input_batch {
 public:
  input_batch(detail::activation& act, const detail::batch<T>& b) : act_(act), b_(b) {}
  timestamp time() const noexcept { return b_.time; }
  std::span<const T> records() const noexcept { return b_.records; }
  /// A capability at this batch's time for output `port`: the right to emit at `time()` (or
  /// later, through `delayed`) after this batch is gone.
  capability retain(std::size_t port = 0) const {
    return capability::mint(&act_.progress(), act_.output_location(port), b_.time);
  }

 private:
  detail::activation& act_;
  const detail::batch<T>& b_;
};

/// An input of a generic operator, valid during one body call.
template <class T>
class input_port {
 public:
  input_port(detail::activation& act, std::size_t port) : act_(act), port_(port) {}
  /// Calls `f(input_batch<T>&)` for each batch available now (up to the activation budget).
  template <class F>
  void for_each(F&& f) {
    while (const detail::batch_base* b = act_.pop(port_)) {
      input_batch<T> view(act_, static_cast<const detail::batch<T>&>(*b));
      f(view);
    }
  }
  /// The earliest time that may still arrive on this input; `std::numeric_limits<timestamp>::max()`
  /// when none can.
  timestamp frontier() const { return act_.input_frontier(port_); }
  /// True when no record can arrive on this input any more.
  bool done() const { return frontier() == detail::empty_frontier; }
  /// True when `t` can no longer arrive (the frontier has passed it).
  bool passed(timestamp t) const { return frontier() > t; }

 private:
  detail::activation& act_;
  std::size_t port_;
};

/// An output of a generic operator. Records are buffered per time and sent in batches when a
/// batch fills up and at the end of each body call. Owned by the operator instance.
template <class U>
class output_port {
 public:
  output_port(std::size_t port = 0) : port_(port) {}
  output_port(const output_port&) = delete;
  output_port& operator=(const output_port&) = delete;
  ~output_port() {
    for (auto& [t, b] : open_) detail::release_batch(b);
  }

  /// Emits `record` at `cap.time()`. Throws `usage_error` for an empty capability or one that
  /// belongs to another output.
  void give(const capability& cap, U record) {
    check(cap);
    detail::batch<U>* b = open_batch(cap.time());
    b->records.push_back(std::move(record));
    if (b->records.size() >= act_->batch_size()) flush_time(cap.time());
  }
  template <class Range>
  void give_all(const capability& cap, Range&& records) {
    for (auto&& r : records) give(cap, U(std::forward<decltype(r)>(r)));
  }

  // Runtime use: bind to the current activation / send what is buffered.
  void bind(detail::activation* act) noexcept { act_ = act; }
  void flush() {
    // Each entry leaves `open_` before `emit` takes its reference, so an exception from a
    // fused consumer never leaves a stale pointer behind.
    // Oldest first, so batches leave in the order they were opened (`open_` is tiny).
    while (!open_.empty()) {
      detail::batch<U>* b = open_.front().second;
      open_.erase(open_.begin());
      act_->emit(port_, b);
    }
  }

 private:
  void check(const capability& cap) const {
    if (!cap.valid()) throw usage_error("operator '" + act_->node_name() + "': give() with an empty capability");
    if (cap.location() != act_->output_location(port_))
      throw usage_error("operator '" + act_->node_name() + "': give() with a capability for another output or operator");
  }
  detail::batch<U>* open_batch(timestamp t) {
    for (auto& [time, b] : open_)
      if (time == t) return b;
    open_.emplace_back(t, detail::acquire_batch<U>(act_->pool(port_), t, act_->batch_size()));
    return open_.back().second;
  }
  void flush_time(timestamp t) {
    for (std::size_t i = 0; i < open_.size(); ++i)
      if (open_[i].first == t) {
        detail::batch<U>* b = open_[i].second;
        open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(i));
        act_->emit(port_, b);
        return;
      }
  }

  std::size_t port_;
  detail::activation* act_ = nullptr;
  std::vector<std::pair<timestamp, detail::batch<U>*>> open_;
};

/// Pending notifications of one operator instance.
class notificator {
 public:
  void notify_at(capability cap) {
    if (!cap.valid()) throw usage_error("notify_at() with an empty capability");
    pending_.push_back(std::move(cap));
    ++fresh_;
  }
  /// Calls `f(capability&)` for every requested time that `passed(time)` says is complete, in
  /// time order; the capability is dropped after `f` returns unless `f` moved it away. A
  /// request that `f` makes for a time that has passed too is delivered in a later pass of the
  /// same call (in time order within each pass), so re-arming never waits for a frontier
  /// change that may never come. After `max_passes` passes the rest waits for the body's next
  /// call, which the runtime makes right away (so a body that re-arms forever still yields its
  /// thread and can be cancelled). Calling `deliver` from inside `f` throws `usage_error`.
  template <class Passed, class F>
  void deliver(Passed&& passed, F&& f) {
    if (delivering_)
      throw usage_error("for_each_notification() called from inside its own callback; request with notify_at() "
                        "instead, it is delivered in the same call when its time has passed");
    delivering_ = true;
    struct end_delivery {
      notificator& n;
      ~end_delivery() {
        n.ready_.clear();
        n.delivering_ = false;
      }
    } done{*this};
    for (int pass = 0;; ++pass) {
      ready_.clear();
      if (pass == max_passes) {
        // What is left is checked again on the next call; make sure there is one.
        fresh_ = pending_.size();
        return;
      }
      for (std::size_t i = 0; i < pending_.size();) {
        if (passed(pending_[i].time())) {
          ready_.push_back(std::move(pending_[i]));
          pending_[i] = std::move(pending_.back());
          pending_.pop_back();
        } else {
          ++i;
        }
      }
      if (ready_.empty()) break;
      std::sort(ready_.begin(), ready_.end(), [](const capability& a, const capability& b) { return a.time() < b.time(); });
      for (auto& cap : ready_) f(cap);
    }
    fresh_ = 0;  // every request left has been checked against this activation's frontiers
  }
  std::size_t pending() const noexcept { return pending_.size(); }

  // Runtime use (the generic operator's node body).
  /// Starts a body call: requests made from here on are *fresh* until the next delivery.
  void begin_call() noexcept { fresh_ = 0; }
  /// True when a fresh request's time has passed: the body must run again to deliver it,
  /// since no frontier change may ever wake it.
  template <class Passed>
  bool fresh_passed(Passed&& passed) const {
    for (std::size_t i = pending_.size() - fresh_; i < pending_.size(); ++i)
      if (passed(pending_[i].time())) return true;
    return false;
  }

 private:
  static constexpr int max_passes = 16;
  std::vector<capability> pending_;
  std::vector<capability> ready_;
  std::size_t fresh_ = 0;  // requests at the end of pending_ not yet checked by a delivery
  bool delivering_ = false;
};

/// What a unary generic operator's body sees on each call.
template <class T, class U>
class unary_context {
 public:
  unary_context(detail::activation& act, output_port<U>& out, notificator& notes)
      : input(act, 0), output(out), notes_(notes) {}
  input_port<T> input;
  output_port<U>& output;

  /// Requests a notification when the input frontier passes `cap.time()`.
  void notify_at(capability cap) { notes_.notify_at(std::move(cap)); }
  /// Delivers the notifications whose time is complete.
  template <class F>
  void for_each_notification(F&& f) {
    notes_.deliver([&](timestamp t) { return input.passed(t); }, std::forward<F>(f));
  }

 private:
  notificator& notes_;
};

/// What a binary generic operator's body sees on each call.
template <class T1, class T2, class U>
class binary_context {
 public:
  binary_context(detail::activation& act, output_port<U>& out, notificator& notes)
      : input1(act, 0), input2(act, 1), output(out), notes_(notes) {}
  input_port<T1> input1;
  input_port<T2> input2;
  output_port<U>& output;

  void notify_at(capability cap) { notes_.notify_at(std::move(cap)); }
  /// Delivers the notifications whose time is complete on both inputs.
  template <class F>
  void for_each_notification(F&& f) {
    notes_.deliver([&](timestamp t) { return input1.passed(t) && input2.passed(t); }, std::forward<F>(f));
  }

 private:
  notificator& notes_;
};

/// What a generic operator with several outputs sees (`stream<T>::unary_outputs`,
/// `binary_outputs`): `Inputs` is `std::tuple<T>` or `std::tuple<T1, T2>`, `output<I>()` is
/// output port `I` (of type `output_port<U_I>`; capabilities for it come from `retain(I)`).
/// Notifications are delivered once every input frontier has passed their time.
template <class Inputs, class... Us>
class outputs_context;

template <class... Ts, class... Us>
class outputs_context<std::tuple<Ts...>, Us...> {
 public:
  using outputs_type = std::tuple<output_port<Us>...>;
  outputs_context(detail::activation& act, outputs_type& outs, notificator& notes)
      : outputs_context(act, outs, notes, std::index_sequence_for<Ts...>{}) {}

  /// Input `I` (`input<0>()` is the stream the operator was called on).
  template <std::size_t I>
  auto& input() noexcept {
    return std::get<I>(inputs_);
  }
  /// Output `I`.
  template <std::size_t I>
  auto& output() noexcept {
    return std::get<I>(outs_);
  }
  void notify_at(capability cap) { notes_.notify_at(std::move(cap)); }
  template <class F>
  void for_each_notification(F&& f) {
    notes_.deliver([&](timestamp t) { return std::apply([&](auto&... in) { return (in.passed(t) && ...); }, inputs_); },
                   std::forward<F>(f));
  }
  /// Activates this instance again at or soon after the wall-clock time `when` (processing-time
  /// triggers), even if no input arrives. Wake-ups are not deduplicated: ask once per deadline.
  void wake_at(std::chrono::steady_clock::time_point when) { act_.wake_at(when); }

 private:
  template <std::size_t... Is>
  outputs_context(detail::activation& act, outputs_type& outs, notificator& notes, std::index_sequence<Is...>)
      : inputs_(input_port<Ts>(act, Is)...), outs_(outs), notes_(notes), act_(act) {}
  std::tuple<input_port<Ts>...> inputs_;
  outputs_type& outs_;
  notificator& notes_;
  detail::activation& act_;
};

namespace detail {

/// Whether a generic body should run again right away. Only when it stopped because its
/// activation budget ran out with input left, or when it asked for a notification whose time
/// has already passed. A body that leaves input on purpose (waiting for another input's
/// frontier, say) is parked instead: a push into one of its queues or a frontier change wakes
/// it, so it never spins.
inline bool generic_run_again(activation& act, const notificator& notes) {
  if (act.budget_spent() && act.has_input() && !act.blocked()) return true;
  return notes.fresh_passed([&](timestamp t) { return act.all_inputs_passed(t); });
}

/// Runs a user body as a node: binds the output, calls the body, sends buffered output.
template <class Context, class U, class Body>
class generic_body final : public node_body {
 public:
  explicit generic_body(Body body) : body_(std::move(body)) {}
  bool activate(activation& act) override {
    out_.bind(&act);
    notes_.begin_call();
    Context ctx(act, out_, notes_);
    body_(ctx);
    out_.flush();
    return generic_run_again(act, notes_);
  }

 private:
  output_port<U> out_;
  notificator notes_;
  Body body_;  // destroyed first: it may hold capabilities and refer to nothing else here
};

/// Like `generic_body`, for a body with one output port per type in `Us`.
template <class Context, class Body, class... Us>
class generic_outputs_body final : public node_body {
 public:
  explicit generic_outputs_body(Body body) : generic_outputs_body(std::move(body), std::index_sequence_for<Us...>{}) {}
  bool activate(activation& act) override {
    std::apply([&](auto&... o) { (o.bind(&act), ...); }, outs_);
    notes_.begin_call();
    Context ctx(act, outs_, notes_);
    body_(ctx);
    std::apply([](auto&... o) { (o.flush(), ...); }, outs_);
    return generic_run_again(act, notes_);
  }

 private:
  template <std::size_t... Is>
  generic_outputs_body(Body body, std::index_sequence<Is...>) : outs_(Is...), body_(std::move(body)) {}
  std::tuple<output_port<Us>...> outs_;
  notificator notes_;
  Body body_;  // destroyed first, as in generic_body
};

/// Graph-building selectors of the node body that runs a generic operator's user body.
template <class Context, class U>
struct single_output_body {
  template <class Body>
  using type = generic_body<Context, U, Body>;
};
template <class Context, class... Us>
struct multi_output_body {
  template <class Body>
  using type = generic_outputs_body<Context, Body, Us...>;
};

}  // namespace detail

}  // namespace streamweave
