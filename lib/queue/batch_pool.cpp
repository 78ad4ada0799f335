#include "queue/batch_pool.hpp"

namespace streamweave::detail {

batch_pool::~batch_pool() {
  batch_base* b = nullptr;
  while (free_.try_dequeue(b)) delete b;
}

batch_base* batch_pool::take() noexcept {
  batch_base* b = nullptr;
  return free_.try_dequeue(b) ? b : nullptr;
}

void batch_pool::recycle(batch_base* b) noexcept {
  b->reset();
  if (!free_.enqueue(b)) delete b;  // enqueue fails only when memory runs out
}

batch_base* pool_take(batch_pool& pool) noexcept { return pool.take(); }

void release_batch(batch_base* b) noexcept {
  if (b->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (b->pool != nullptr) {
    b->pool->recycle(b);
  } else {
    delete b;
  }
}

}  // namespace streamweave::detail
