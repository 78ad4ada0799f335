#pragma once
/// \file
/// `trace_ring<T>`: the last `capacity` items one writer pushed, for a reader on any thread,
/// without a lock. The activation traces keep their spans and probe events in these
/// (observe/activation_trace.hpp).
///
/// Thread safety and memory ordering (a sequence lock over a ring):
/// - One writer at a time. A new writer must be ordered after the previous one (the unit's
///   scheduling state, or the tracker's ownership, hands the writer role on with
///   acquire/release). `push` is wait-free: two relaxed counter stores, a release fence,
///   relaxed stores of the item's words and a release store of `pushed_`.
/// - `copy` from any thread, concurrently with `push`. It reads `pushed_` (acquire), then the
///   slots, then, after an acquire fence, `started_`. A slot the writer began to overwrite
///   meanwhile belongs to an item below `started_ - capacity`: those are dropped and counted as
///   overwritten, so no torn item is ever returned. (If a slot load saw a store of item j, the
///   writer's release fence after `started_ = j + 1` synchronizes with the reader's acquire
///   fence, so the reader's `started_` is at least j + 1.)
/// - Every shared word is a `std::atomic`, so concurrent push and copy are not data races.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace streamweave::internal {

template <class T>
class trace_ring {
  static_assert(std::is_trivially_copyable_v<T>, "items are copied word by word");
  static constexpr std::size_t words = (sizeof(T) + sizeof(std::uint64_t) - 1) / sizeof(std::uint64_t);
  using raw_item = std::array<std::uint64_t, words>;
  struct slot {
    std::array<std::atomic<std::uint64_t>, words> word{};
  };

 public:
  /// `capacity` is at least 1 (runtime_options::trace_capacity is checked before).
  explicit trace_ring(std::size_t capacity) : slots_(std::max<std::size_t>(capacity, 1)) {}

  /// Keeps `item`, overwriting the oldest one when the ring is full. The writer only.
  void push(const T& item) noexcept {
    const std::uint64_t n = pushed_.load(std::memory_order_relaxed);  // only the writer stores it
    started_.store(n + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);  // orders the store above before the slot's
    raw_item raw{};
    std::memcpy(raw.data(), static_cast<const void*>(&item), sizeof(T));
    slot& s = slots_[static_cast<std::size_t>(n % slots_.size())];
    for (std::size_t w = 0; w < words; ++w) s.word[w].store(raw[w], std::memory_order_relaxed);
    pushed_.store(n + 1, std::memory_order_release);
  }

  /// The items kept, oldest first, and in `overwritten` the number pushed before them. Any
  /// thread.
  std::vector<T> copy(std::uint64_t& overwritten) const {
    const std::uint64_t capacity = slots_.size();
    const std::uint64_t end = pushed_.load(std::memory_order_acquire);
    const std::uint64_t first = end > capacity ? end - capacity : 0;
    std::vector<raw_item> raw(static_cast<std::size_t>(end - first));
    for (std::uint64_t i = first; i < end; ++i) {
      const slot& s = slots_[static_cast<std::size_t>(i % capacity)];
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
  std::vector<slot> slots_;
  std::atomic<std::uint64_t> started_{0};  // items whose write has begun
  std::atomic<std::uint64_t> pushed_{0};   // items written completely
};

}  // namespace streamweave::internal
