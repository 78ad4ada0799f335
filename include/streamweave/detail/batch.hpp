#pragma once
/// \file
/// Batches: the unit that moves over edges and that progress tracking counts.
///
/// A batch carries one timestamp and a vector of records. It is reference counted so that a
/// fan-out hands the same read-only batch to every consumer without a copy. When the last
/// reference is released, the batch returns to the pool it came from with its capacity kept,
/// so steady-state flow allocates nothing per batch.
///
/// Thread safety: `refs` is atomic; the records are written only by the producer before the
/// batch is first shared and are read-only afterwards. Publication to consumers happens through
/// the edge queues (release on enqueue, acquire on dequeue).
#include <streamweave/detail/batch_recycling.hpp>
#include <streamweave/progress/timestamp.hpp>
#include <streamweave/runtime/record_size.hpp>

#include <algorithm>
#include <atomic>
#include <utility>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace streamweave::detail {

struct batch_base {
  virtual ~batch_base() = default;
  /// Drops the records, keeping capacity.
  virtual void reset() noexcept = 0;
  virtual std::size_t size() const noexcept = 0;
  /// The bytes the records account for (`record_size`). Computed on first use and cached
  /// until `reset`: call it only once the records are final (the producer, before sharing).
  virtual std::size_t bytes() noexcept = 0;

  std::atomic<std::uint32_t> refs{1};
  streamweave::timestamp time = 0;
  batch_pool* pool = nullptr;  // where the batch returns; nullptr: deleted on release
  batch_base* next_free = nullptr;  // the pool's free lists link through it while the batch is free
};

/// An allocator that default-initialises (leaves trivial values unwritten) on `resize`, so an
/// operator can size a batch and fill it by index without first zeroing it.
template <class T>
struct default_init_allocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = default_init_allocator<U>;
  };
  default_init_allocator() = default;
  template <class U>
  default_init_allocator(const default_init_allocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// The record storage of a batch.
template <class T>
using record_vector = std::vector<T, default_init_allocator<T>>;

/// True when records of `T` can be written by index into a resized batch (no constructor or
/// destructor work is skipped by doing so).
template <class T>
inline constexpr bool fill_by_index = std::is_trivially_copyable_v<T> && std::is_trivially_default_constructible_v<T>;

template <class T>
struct batch final : batch_base {
  void reset() noexcept override {
    records.clear();
    bytes_ = unknown;
  }
  std::size_t size() const noexcept override { return records.size(); }
  std::size_t bytes() noexcept override {
    if constexpr (sizeof_record_size<T>) {
      return records.size() * sizeof(T);
    } else {
      if (bytes_ == unknown) {
        std::size_t sum = 0;
        for (const T& r : records) sum += record_size<T>::bytes(r);
        bytes_ = sum;
      }
      return bytes_;
    }
  }
  record_vector<T> records;

 private:
  static constexpr std::size_t unknown = ~std::size_t{0};
  std::size_t bytes_ = unknown;
};

/// Records reserved up front in a new batch: `wanted`, but never more than about 1 MiB of
/// them (at least one), so a huge `batch_size` or record type does not allocate a huge block
/// for a batch that may stay small. Batches grow past it as needed and keep their capacity.
template <class T>
constexpr std::size_t reserve_for(std::size_t wanted) noexcept {
  constexpr std::size_t cap = std::max<std::size_t>(1, (std::size_t{1} << 20) / sizeof(T));
  return std::min(wanted, cap);
}

/// Adds one reference for an additional consumer.
inline batch_base* share_batch(const batch_base& b) noexcept {
  auto& mutable_b = const_cast<batch_base&>(b);
  mutable_b.refs.fetch_add(1, std::memory_order_relaxed);
  return &mutable_b;
}

/// A batch of `T` at time `t` with room for `reserve` records, recycled from `pool` if possible.
template <class T>
batch<T>* acquire_batch(batch_pool& pool, streamweave::timestamp t, std::size_t reserve) {
  batch<T>* b = static_cast<batch<T>*>(pool_take(pool));
  if (b == nullptr) {
    b = new batch<T>();
    b->pool = &pool;
  }
  b->refs.store(1, std::memory_order_relaxed);
  b->time = t;
  reserve = reserve_for<T>(reserve);
  if (b->records.capacity() < reserve) b->records.reserve(reserve);
  return b;
}

}  // namespace streamweave::detail



namespace streamweave::detail {

/// Holds one batch under construction that can be handed on and replaced (for operators that
/// emit several batches per input batch). Releases what it holds on destruction, so a user
/// exception leaks nothing. No heap allocation of its own.
template <class T>
class owned_batch {
 public:
  owned_batch(batch_pool& pool, streamweave::timestamp t, std::size_t reserve) { acquire(pool, t, reserve); }
  ~owned_batch() {
    if (b_ != nullptr) release_batch(b_);
  }
  owned_batch(const owned_batch&) = delete;
  owned_batch& operator=(const owned_batch&) = delete;

  void acquire(batch_pool& pool, streamweave::timestamp t, std::size_t reserve) { b_ = acquire_batch<T>(pool, t, reserve); }
  batch<T>& get() noexcept { return *b_; }
  /// Gives up ownership (one reference); call `acquire` before using `get` again.
  batch<T>* release() noexcept { return std::exchange(b_, nullptr); }

 private:
  batch<T>* b_ = nullptr;
};

}  // namespace streamweave::detail
