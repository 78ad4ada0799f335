#pragma once
/// \file
/// Bodies of concat and the callback sink (map, filter, flat_map, inspect and the sources are
/// chains: graph/chain.hpp). The callback sink holds no capability and ignores
/// frontiers, so the runtime may fuse it into its producer's activation; concat has several
/// inputs and is never fused. Each instance is used by one activation at a time.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/node.hpp>

#include <algorithm>
#include <type_traits>
#include <utility>

namespace streamweave::detail {

/// Calls a user callback as `f(t, x)` when it takes the time, else as `f(x)`.
template <class F, class X>
void call_with_time(F& f, timestamp t, const X& x) {
  if constexpr (std::is_invocable_v<F&, timestamp, const X&>) {
    f(t, x);
  } else {
    f(x);
  }
}

/// Base for operators that only react to batches.
class batch_operator : public node_body {
 public:
  bool activate(activation& act) override { return act.process_inputs(*this); }
};

/// Union of several streams of one type: forwards every batch unchanged.
class concat_body final : public batch_operator {
 public:
  void on_batch(activation& act, std::size_t, const batch_base& in) override { act.emit(0, share_batch(in)); }
};

/// Callback sink: calls `f(record)` or `f(time, record)` for every record.
template <class T, class F>
class for_each_body final : public batch_operator {
 public:
  explicit for_each_body(F f) : f_(std::move(f)) {}
  void on_batch(activation&, std::size_t, const batch_base& in) override {
    for (const T& r : static_cast<const batch<T>&>(in).records) call_with_time(f_, in.time, r);
  }

 private:
  F f_;
};

}  // namespace streamweave::detail
