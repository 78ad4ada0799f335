#pragma once
/// \file
/// Exchanges: how `stream::exchange(key, n)` and `key_by` spread records over `n` consumer
/// instances. `exchange_destination` maps a key's hash to an instance; `key_router` splits one
/// batch into one batch per destination, and `key_partition` makes a router for each producing
/// instance (the untyped bases are in detail/partition.hpp).
/// Thread safety: a router belongs to one producing instance's edge and is called only from
/// that instance's activations.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/partition.hpp>
#include <streamweave/graph/key_hash.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamweave {

namespace detail {
/// The high 64 bits of a 64 x 64-bit product.
constexpr std::uint64_t multiply_high(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
  __extension__ typedef unsigned __int128 wide;
  return static_cast<std::uint64_t>((static_cast<wide>(a) * b) >> 64);
#else
  const std::uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32, b_lo = b & 0xffffffffULL, b_hi = b >> 32;
  const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
  const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffULL) + lo_hi;
  return hi_hi + (hi_lo >> 32) + (cross >> 32);
#endif
}
}  // namespace detail

/// The instance of an `n`-way exchange that a record whose key hashes to `hash` goes to.
/// Hashes are mixed with MurmurHash3's 64-bit finalizer first, so small integer keys spread,
/// then mapped onto [0, n) by a multiply-shift (no division on the per-record path).
constexpr std::size_t exchange_destination(std::uint64_t hash, std::size_t n) noexcept {
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ULL;
  hash ^= hash >> 33;
  return static_cast<std::size_t>(detail::multiply_high(hash, n));
}

namespace detail {

template <class T, class Key>
class key_router final : public router {
 public:
  explicit key_router(Key key) : key_(std::move(key)) {}
  void route(const batch_base& in, batch_pool& pool, std::size_t batch_size, std::vector<batch_base*>& out) override {
    using key_type = std::decay_t<std::invoke_result_t<Key&, const T&>>;
    const auto& src = static_cast<const batch<T>&>(in).records;
    const std::size_t n = out.size();
    // Reserve a full batch: recycled batches then never grow, whatever the split.
    const std::size_t reserve = std::max(batch_size, src.size());
    auto destination = [&](const T& r) {
      return exchange_destination(static_cast<std::uint64_t>(key_hash<key_type>{}(key_(r))), n);
    };
    if constexpr (fill_by_index<T>) {
      // Size every destination for the whole batch (no zeroing), write by index, then trim.
      fill_ptrs_.assign(n, nullptr);
      fill_counts_.assign(n, 0);
      for (const T& r : src) {
        const std::size_t d = destination(r);
        if (fill_ptrs_[d] == nullptr) {
          auto* b = acquire_batch<T>(pool, in.time, reserve);
          b->records.resize(src.size());
          out[d] = b;
          fill_ptrs_[d] = b->records.data();
        }
        fill_ptrs_[d][fill_counts_[d]++] = r;
      }
      for (std::size_t d = 0; d < n; ++d)
        if (out[d] != nullptr) static_cast<batch<T>*>(out[d])->records.resize(fill_counts_[d]);
    } else {
      for (const T& r : src) {
        const std::size_t d = destination(r);
        if (out[d] == nullptr) out[d] = acquire_batch<T>(pool, in.time, reserve);
        static_cast<batch<T>*>(out[d])->records.push_back(r);
      }
    }
  }

 private:
  Key key_;
  // Scratch, used only inside route() (see router: one router per producing instance).
  std::vector<T*> fill_ptrs_;             // per destination: where its records go
  std::vector<std::size_t> fill_counts_;  // per destination: records written so far
};

template <class T, class Key>
class key_partition final : public partition {
 public:
  key_partition(Key key, std::size_t n) : key_(std::move(key)), n_(n) {}
  std::size_t instances() const noexcept override { return n_; }
  std::unique_ptr<router> make_router() const override { return std::make_unique<key_router<T, Key>>(key_); }

 private:
  Key key_;
  std::size_t n_;
};

}  // namespace detail

}  // namespace streamweave
