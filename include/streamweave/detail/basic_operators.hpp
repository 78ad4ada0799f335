#pragma once
/// \file
/// Bodies of the stateless per-batch operators (map, filter, flat_map, inspect, concat), the
/// callback sink and the generator source. The single-input ones (map, filter, flat_map, inspect,
/// for_each) hold no capability and ignore frontiers, so the runtime may fuse them into their
/// producer's activation; concat has several inputs and is never fused. Each instance is used by
/// one activation at a time.
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

template <class T, class U, class F>
class map_body final : public batch_operator {
 public:
  explicit map_body(F f) : f_(std::move(f)) {}
  void on_batch(activation& act, std::size_t, const batch_base& in) override {
    const auto& src = static_cast<const batch<T>&>(in).records;
    batch_builder<U> out(act.pool(0), in.time, std::max(src.size(), act.batch_size()));
    auto& dst = out.records();
    if constexpr (fill_by_index<U>) {
      dst.resize(src.size());
      U* d = dst.data();
      const T* s = src.data();
      for (std::size_t i = 0, n = src.size(); i < n; ++i) d[i] = f_(s[i]);
    } else {
      for (const T& r : src) dst.push_back(f_(r));
    }
    act.emit(0, out.release());
  }

 private:
  F f_;
};

template <class T, class F>
class filter_body final : public batch_operator {
 public:
  explicit filter_body(F f) : f_(std::move(f)) {}
  void on_batch(activation& act, std::size_t, const batch_base& in) override {
    const auto& src = static_cast<const batch<T>&>(in).records;
    batch_builder<T> out(act.pool(0), in.time, std::max(src.size(), act.batch_size()));
    auto& dst = out.records();
    if constexpr (fill_by_index<T>) {
      // Branch-free compaction: write every record, advance only past the kept ones.
      dst.resize(src.size());
      T* d = dst.data();
      std::size_t kept = 0;
      for (const T& r : src) {
        d[kept] = r;
        kept += f_(r) ? 1 : 0;
      }
      dst.resize(kept);
    } else {
      for (const T& r : src)
        if (f_(r)) dst.push_back(r);
    }
    if (!dst.empty()) act.emit(0, out.release());
  }

 private:
  F f_;
};

template <class T, class U, class F>
class flat_map_body final : public batch_operator {
 public:
  explicit flat_map_body(F f) : f_(std::move(f)) {}
  void on_batch(activation& act, std::size_t, const batch_base& in) override {
    const auto& src = static_cast<const batch<T>&>(in).records;
    const std::size_t limit = act.batch_size();
    auto out = std::make_unique<batch_builder<U>>(act.pool(0), in.time, limit);
    for (const T& r : src) {
      for (auto&& u : f_(r)) {
        out->records().push_back(static_cast<U>(std::forward<decltype(u)>(u)));
        if (out->records().size() >= limit) {
          act.emit(0, out->release());
          out = std::make_unique<batch_builder<U>>(act.pool(0), in.time, limit);
        }
      }
    }
    if (!out->records().empty()) act.emit(0, out->release());
  }

 private:
  F f_;
};

template <class T, class F>
class inspect_body final : public batch_operator {
 public:
  explicit inspect_body(F f) : f_(std::move(f)) {}
  void on_batch(activation& act, std::size_t, const batch_base& in) override {
    for (const T& r : static_cast<const batch<T>&>(in).records) {
      if constexpr (std::is_invocable_v<F&, timestamp, const T&>) {
        f_(in.time, r);
      } else {
        f_(r);
      }
    }
    act.emit(0, share_batch(in));  // read-only pass-through: no copy
  }

 private:
  F f_;
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
