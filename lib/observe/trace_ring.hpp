#pragma once
/// \file
/// `trace_ring<T>`: the last `capacity` items one writer pushed, for a reader on any thread,
/// without a lock. The activation traces keep their spans and probe events in these
/// (observe/activation_trace.hpp).
///
/// Memory: the slots come in chunks of `chunk_items`, each allocated by the writer when it
/// first reaches it. A large capacity costs only what a run writes, and a run does not start by
/// allocating and zeroing every unit's whole ring. An item whose chunk cannot be allocated is
/// not kept, and counts as neither pushed nor overwritten.
///
/// Thread safety and memory ordering (a sequence lock over a ring):
/// - One writer at a time. A new writer must be ordered after the previous one (the unit's
///   scheduling state, or the tracker's ownership, hands the writer role on with
///   acquire/release). `push` is wait-free apart from a chunk's allocation: two relaxed counter
///   stores, a release fence, relaxed stores of the item's words and a release store of
///   `pushed_`. A new chunk's pointer is stored (release) before the item is written.
/// - `copy` from any thread, concurrently with `push`. It reads `pushed_` (acquire), then the
///   slots, then, after an acquire fence, `started_`. Every item below the `pushed_` it read
///   has its chunk's pointer stored before it, and the reader loads that pointer with acquire.
///   A slot the writer began to overwrite meanwhile belongs to an item below
///   `started_ - capacity`: those are dropped and counted as overwritten, so no torn item is
///   ever returned. (If a slot load saw a store of item j, the writer's release fence after
///   `started_ = j + 1` synchronizes with the reader's acquire fence, so the reader's
///   `started_` is at least j + 1.)
/// - Every shared word is a `std::atomic`, so concurrent push and copy are not data races.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace streamweave::internal {

template <class T, std::size_t chunk_items = 1024>
class trace_ring {
  static_assert(chunk_items > 0);
  static_assert(std::is_trivially_copyable_v<T>, "items are copied word by word");
  static constexpr std::size_t words = (sizeof(T) + sizeof(std::uint64_t) - 1) / sizeof(std::uint64_t);
  using raw_item = std::array<std::uint64_t, words>;
  struct slot {
    std::array<std::atomic<std::uint64_t>, words> word{};
  };

 public:
  /// `capacity` is at least 1 (runtime_options::trace_capacity is checked before). Allocates
  /// only the table of chunk pointers.
  explicit trace_ring(std::size_t capacity)
      : capacity_(std::max<std::size_t>(capacity, 1)),
        chunk_count_((capacity_ + chunk_items - 1) / chunk_items),
        chunks_(std::make_unique<std::atomic<slot*>[]>(chunk_count_)) {}
  ~trace_ring() {
    for (std::size_t c = 0; c < chunk_count_; ++c) delete[] chunks_[c].load(std::memory_order_relaxed);
  }
  trace_ring(const trace_ring&) = delete;
  trace_ring& operator=(const trace_ring&) = delete;

  /// Keeps `item`, overwriting the oldest one when the ring is full. The writer only.
  void push(const T& item) noexcept {
    const std::uint64_t n = pushed_.load(std::memory_order_relaxed);  // only the writer stores it
    const auto index = static_cast<std::size_t>(n % capacity_);
    std::atomic<slot*>& chunk = chunks_[index / chunk_items];
    slot* first = chunk.load(std::memory_order_relaxed);  // only the writer stores it
    if (first == nullptr) {
      const std::size_t begin = index / chunk_items * chunk_items;
      first = new (std::nothrow) slot[std::min(chunk_items, capacity_ - begin)];
      if (first == nullptr) return;  // not kept (see the file comment)
      chunk.store(first, std::memory_order_release);
    }
    started_.store(n + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);  // orders the store above before the slot's
    raw_item raw{};
    std::memcpy(raw.data(), static_cast<const void*>(&item), sizeof(T));
    slot& s = first[index % chunk_items];
    for (std::size_t w = 0; w < words; ++w) s.word[w].store(raw[w], std::memory_order_relaxed);
    pushed_.store(n + 1, std::memory_order_release);
  }

  /// The items kept, oldest first, and in `overwritten` the number pushed before them. Any
  /// thread.
  std::vector<T> copy(std::uint64_t& overwritten) const {
    const std::uint64_t capacity = capacity_;
    const std::uint64_t end = pushed_.load(std::memory_order_acquire);
    const std::uint64_t first = end > capacity ? end - capacity : 0;
    std::vector<raw_item> raw(static_cast<std::size_t>(end - first));
    for (std::uint64_t i = first; i < end; ++i) {
      const auto index = static_cast<std::size_t>(i % capacity);
      const slot& s = chunks_[index / chunk_items].load(std::memory_order_acquire)[index % chunk_items];
      for (std::size_t w = 0; w < words; ++w) raw[i - first][w] = s.word[w].load(std::memory_order_relaxed);
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    const std::uint64_t begun = started_.load(std::memory_order_relaxed);
    // Item i's slot is rewritten by item i + capacity, which sets started_ to i + capacity + 1
    // before it writes: an item at or above begun - capacity was not touched while we read.
    const std::uint64_t intact_from = begun > capacity ? std::max(first, begun - capacity) : first;
    overwritten = std::min(intact_from, end);
    std::vector<T> out;
    out.reserve(static_cast<std::size_t>(end - overwritten));
    for (std::uint64_t i = overwritten; i < end; ++i) {
      T item;
      std::memcpy(static_cast<void*>(&item), raw[i - first].data(), sizeof(T));
      out.push_back(item);
    }
    return out;
  }

 private:
  const std::size_t capacity_;
  const std::size_t chunk_count_;
  std::unique_ptr<std::atomic<slot*>[]> chunks_;  // null until the writer first reaches the chunk
  std::atomic<std::uint64_t> started_{0};  // items whose write has begun
  std::atomic<std::uint64_t> pushed_{0};   // items written completely
};

}  // namespace streamweave::internal
