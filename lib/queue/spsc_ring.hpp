#pragma once
/// \file
/// `spsc_ring<T>`: a bounded single-producer single-consumer ring buffer (the one-to-one edge
/// queue, in the style of moodycamel's ReaderWriterQueue, but fixed-size, allocation-free after
/// construction and built only from C++ atomics so ThreadSanitizer can check it).
///
/// Thread safety: `try_push` from one producer thread at a time, `try_pop` from one consumer
/// thread at a time (successive calls from different threads need a happens-before edge
/// between them, which the runtime's scheduling provides).
/// Memory ordering: the producer publishes the slot with a release store of `tail_`, which the
/// consumer reads with acquire; the consumer frees the slot with a release store of `head_`,
/// which the producer reads with acquire before reusing it.
#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>

namespace streamweave::internal {

template <class T>
class spsc_ring {
 public:
  explicit spsc_ring(std::size_t capacity)
      : mask_(std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity) - 1), slots_(std::make_unique<T[]>(mask_ + 1)) {}

  bool try_push(const T& value) noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - cached_head_ > mask_) {
      cached_head_ = head_.load(std::memory_order_acquire);
      if (tail - cached_head_ > mask_) return false;
    }
    slots_[tail & mask_] = value;
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  bool try_pop(T& out) noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head == cached_tail_) {
      cached_tail_ = tail_.load(std::memory_order_acquire);
      if (head == cached_tail_) return false;
    }
    out = slots_[head & mask_];
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

 private:
  const std::size_t mask_;
  std::unique_ptr<T[]> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};  // next slot to pop (consumer-owned)
  std::size_t cached_tail_ = 0;                    // consumer's view of tail_
  alignas(64) std::atomic<std::size_t> tail_{0};  // next slot to fill (producer-owned)
  std::size_t cached_head_ = 0;                    // producer's view of head_
};

}  // namespace streamweave::internal
