#include "queue/edge_queue.hpp"

#include <streamweave/detail/assert.hpp>

#include <algorithm>
#include <thread>

namespace streamweave::internal {

namespace {
void raise_peak(std::atomic<std::size_t>& peak, std::size_t value) noexcept {
  std::size_t m = peak.load(std::memory_order_relaxed);
  while (value > m && !peak.compare_exchange_weak(m, value, std::memory_order_relaxed)) {
  }
}
}  // namespace

edge_queue::edge_queue(kind k, std::size_t capacity, std::size_t byte_budget)
    : kind_(k), capacity_(capacity == 0 ? 1 : capacity), byte_budget_(byte_budget) {
  if (kind_ == kind::spsc) {
    spsc_ = std::make_unique<spsc_ring<detail::batch_base*>>(capacity_);
  } else {
    mpmc_ = std::make_unique<moodycamel::ConcurrentQueue<detail::batch_base*>>(capacity_ * 2, 0, 8);
    consumer_token_ = std::make_unique<moodycamel::ConsumerToken>(*mpmc_);
  }
}

edge_queue::~edge_queue() {
  while (detail::batch_base* b = try_pop()) detail::release_batch(b);
  // Destroy tokens before the queue they belong to.
  tokens_.clear();
  consumer_token_.reset();
}

std::size_t edge_queue::add_producer() {
  if (kind_ == kind::mpmc) tokens_.push_back(std::make_unique<moodycamel::ProducerToken>(*mpmc_));
  waiting_.emplace_back(nullptr);
  return waiting_.size() - 1;
}

bool edge_queue::admit_with_bytes(std::size_t n) {
  // Slot and bytes are decided together under a tiny lock, and nothing is taken when the batch
  // does not fit: a failed push never holds room for a moment, so a waiter's re-check cannot
  // miss room that a failing push held (pops still only decrement, without the lock).
  while (admit_lock_.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
  const std::size_t count = reserved_.load(std::memory_order_seq_cst);
  const std::size_t held = bytes_.load(std::memory_order_seq_cst);
  const bool fits = count < capacity_ && fits_bytes(held, n);
  if (fits) {
    reserved_.fetch_add(1, std::memory_order_seq_cst);
    bytes_.fetch_add(n, std::memory_order_seq_cst);
  }
  admit_lock_.clear(std::memory_order_release);
  if (fits) raise_peak(max_bytes_, held + n);
  return fits;
}

bool edge_queue::try_push(detail::batch_base* b, std::size_t producer) {
  const std::size_t n = byte_budget_ != 0 ? b->bytes() : 0;
  if (byte_budget_ != 0) {
    if (!admit_with_bytes(n)) return false;
  } else if (reserved_.fetch_add(1, std::memory_order_seq_cst) >= capacity_) {
    // Only fails when the queue really is full, so this brief over-count hides no room.
    reserved_.fetch_sub(1, std::memory_order_seq_cst);
    return false;
  }
  // Count the batch before it becomes visible, so a racing pop never drives depth_ below 0.
  const std::size_t d = depth_.fetch_add(1, std::memory_order_acq_rel) + 1;
  STREAMWEAVE_ASSERT(d <= capacity_, "edge_queue: more batches queued than its capacity");
  bool ok = kind_ == kind::spsc ? spsc_->try_push(b) : mpmc_->enqueue(*tokens_[producer], b);
  if (!ok) {  // only on allocation failure
    depth_.fetch_sub(1, std::memory_order_acq_rel);
    if (byte_budget_ != 0) bytes_.fetch_sub(n, std::memory_order_seq_cst);
    reserved_.fetch_sub(1, std::memory_order_seq_cst);
    if (has_waiters_.load(std::memory_order_seq_cst)) wake_waiters();  // the room we held is free again
    return false;
  }
  raise_peak(max_depth_, d);
  return true;
}

detail::batch_base* edge_queue::try_pop() {
  detail::batch_base* b = nullptr;
  const bool ok = kind_ == kind::spsc ? spsc_->try_pop(b) : mpmc_->try_dequeue(*consumer_token_, b);
  if (!ok) return nullptr;
  const std::size_t before = depth_.fetch_sub(1, std::memory_order_acq_rel);
  STREAMWEAVE_ASSERT(before > 0, "edge_queue: popped a batch that was never counted");
  // bytes() is cached in the batch by the producer's push, so this is the same number.
  if (byte_budget_ != 0) {
    const std::size_t held = bytes_.fetch_sub(b->bytes(), std::memory_order_seq_cst);
    STREAMWEAVE_ASSERT(held >= b->bytes(), "edge_queue: popped more bytes than were queued");
  }
  reserved_.fetch_sub(1, std::memory_order_seq_cst);
  if (has_waiters_.load(std::memory_order_seq_cst)) wake_waiters();
  return b;
}

void edge_queue::add_waiter(std::size_t producer, producer_waker* w, std::size_t bytes) {
  waiting_[producer].store(w, std::memory_order_seq_cst);
  has_waiters_.store(true, std::memory_order_seq_cst);
  // Re-check after publishing: a pop that freed space before the flag was visible did not
  // wake us. Only wake for space this producer's batch can use, or it would spin.
  if (reserved_.load(std::memory_order_seq_cst) >= capacity_) return;
  if (byte_budget_ != 0 && !fits_bytes(bytes_.load(std::memory_order_seq_cst), bytes)) return;
  wake_waiters();
}

void edge_queue::wake_waiters() {
  has_waiters_.store(false, std::memory_order_seq_cst);
  for (auto& slot : waiting_)
    if (producer_waker* w = slot.exchange(nullptr, std::memory_order_acq_rel)) w->wake();
}

}  // namespace streamweave::internal
