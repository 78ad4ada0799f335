#pragma once
/// \file
/// `edge_queue`: the bounded lock-free queue of batches feeding one input port of one operator
/// instance. One-to-one (pipeline) edges use an SPSC ring (`spsc_ring`); exchange and merge
/// edges, which have several producers, use moodycamel's `ConcurrentQueue` with one producer
/// token per producing instance (so each producer's batches stay in order).
///
/// Capacity is enforced by the queue's own occupancy counter, never by `size_approx`: a push
/// first reserves a slot and fails when the queue already holds `capacity` batches. With a
/// byte budget (`runtime_options::queue_bytes`), a push also fails when the batches queued
/// already hold bytes and this batch would take them past the budget; an empty queue always
/// takes one batch, so a batch larger than the budget still gets through, alone. A producer
/// that found the queue full registers a waker; the consumer wakes it after a pop. The
/// counters (`depth`, `max_depth`, `bytes`, `max_bytes`) are what the back-pressure tests read.
///
/// Thread safety: `try_push` from the producer (SPSC) or from distinct producer tokens (MPMC),
/// `try_pop` from the single consumer instance. `add_waiter` from producers.
/// Memory ordering: the queue's enqueue/dequeue publish the batch (release/acquire). The
/// occupancy counter and the waiter flag use seq_cst so that a producer registering as a waiter
/// and a consumer freeing a slot cannot both miss each other (Dekker pattern).
#include <streamweave/detail/batch.hpp>

#include "queue/spsc_ring.hpp"

#include <atomic>
#include <concurrentqueue.h>
#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

namespace streamweave::internal {

/// Something that produces into edge queues and must be resumed when a full queue frees space
/// (an operator unit, or an input handle). `wake` must not block.
class producer_waker {
 public:
  virtual void wake() noexcept = 0;

 protected:
  ~producer_waker() = default;
};

class edge_queue {
 public:
  enum class kind { spsc, mpmc };

  /// `capacity` batches, and at most `byte_budget` bytes of records (0: no byte limit).
  edge_queue(kind k, std::size_t capacity, std::size_t byte_budget = 0);
  ~edge_queue();
  edge_queue(const edge_queue&) = delete;
  edge_queue& operator=(const edge_queue&) = delete;

  /// Registers a producer and returns its index (its token, and its waiter slot). Called while
  /// the graph is wired, before any thread uses the queue.
  std::size_t add_producer();

  /// Enqueues `b` unless the queue is at capacity. Takes ownership of `b`'s reference on success.
  bool try_push(detail::batch_base* b, std::size_t producer);
  /// Dequeues the oldest batch of some producer, or nullptr. Wakes waiting producers.
  detail::batch_base* try_pop();

  /// Wakes `w` once after the next pop (or right away if a batch of `bytes` would fit now).
  /// Idempotent per producer; never allocates.
  void add_waiter(std::size_t producer, producer_waker* w, std::size_t bytes = 0);

  bool has_items() const noexcept { return depth_.load(std::memory_order_acquire) > 0; }
  std::size_t depth() const noexcept { return depth_.load(std::memory_order_relaxed); }
  std::size_t max_depth() const noexcept { return max_depth_.load(std::memory_order_relaxed); }
  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }
  std::size_t max_bytes() const noexcept { return max_bytes_.load(std::memory_order_relaxed); }
  std::size_t byte_budget() const noexcept { return byte_budget_; }

 private:
  void wake_waiters();
  /// Takes a slot and `n` bytes of the budget at once; false, taking nothing, when either is
  /// missing.
  bool admit_with_bytes(std::size_t n);
  /// A batch of `n` bytes fits next to `held` queued bytes: always into an empty queue.
  bool fits_bytes(std::size_t held, std::size_t n) const noexcept {
    return held == 0 || (held <= byte_budget_ && n <= byte_budget_ - held);
  }

  kind kind_;
  std::size_t capacity_;
  std::unique_ptr<spsc_ring<detail::batch_base*>> spsc_;
  std::unique_ptr<moodycamel::ConcurrentQueue<detail::batch_base*>> mpmc_;
  std::vector<std::unique_ptr<moodycamel::ProducerToken>> tokens_;
  std::unique_ptr<moodycamel::ConsumerToken> consumer_token_;

  std::atomic<std::size_t> reserved_{0};  // slots reserved by producers (>= depth_)
  std::atomic<std::size_t> depth_{0};     // batches actually enqueued and not yet popped
  std::atomic<std::size_t> max_depth_{0};
  std::size_t byte_budget_;
  std::atomic<std::size_t> bytes_{0};  // bytes of the batches queued (or being pushed)
  std::atomic<std::size_t> max_bytes_{0};
  std::atomic_flag admit_lock_ = ATOMIC_FLAG_INIT;  // byte-budget admissions only

  std::atomic<bool> has_waiters_{false};
  std::deque<std::atomic<producer_waker*>> waiting_;  // one slot per producer; sized at wiring
};

}  // namespace streamweave::internal
