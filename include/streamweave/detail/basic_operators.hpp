#pragma once
/// \file
/// Bodies of concat, the callback sink and the generator source (map, filter, flat_map and
/// inspect are chain stages: graph/chain.hpp). The callback sink holds no capability and ignores
/// frontiers, so the runtime may fuse it into its producer's activation; concat has several
/// inputs and is never fused. Each instance is used by one activation at a time.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/node.hpp>

#include <algorithm>
#include <utility>

namespace streamweave::detail {

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
    for (const T& r : static_cast<const batch<T>&>(in).records) {
      if constexpr (std::is_invocable_v<F&, timestamp, const T&>) {
        f_(in.time, r);
      } else {
        f_(r);
      }
    }
  }

 private:
  F f_;
};

/// Source from a generator `std::optional<T>()`: every record at time 0; the source's capability
/// is dropped when the generator is exhausted.
template <class T, class G>
class generator_body final : public node_body {
 public:
  generator_body(G g, capability cap) : g_(std::move(g)), cap_(std::move(cap)) {}
  bool activate(activation& act) override {
    if (!cap_) return false;
    const std::size_t limit = act.batch_size();
    while (!act.blocked() && act.take_budget()) {
      batch_builder<T> out(act.pool(0), cap_.time(), limit);
      auto& dst = out.records();
      bool exhausted = false;
      if constexpr (fill_by_index<T>) {
        dst.resize(limit);
        T* d = dst.data();
        std::size_t made = 0;
        for (; made < limit; ++made) {
          std::optional<T> next = g_();
          if (!next) {
            exhausted = true;
            break;
          }
          d[made] = *next;
        }
        dst.resize(made);
      } else {
        while (dst.size() < limit) {
          std::optional<T> next = g_();
          if (!next) {
            exhausted = true;
            break;
          }
          dst.push_back(std::move(*next));
        }
      }
      if (!dst.empty()) act.emit(0, out.release());
      if (exhausted) {
        cap_.reset();
        return false;
      }
    }
    return !act.blocked();
  }

 private:
  G g_;
  capability cap_;
};

}  // namespace streamweave::detail
