#include "queue/batch_pool.hpp"

#include <streamweave/detail/assert.hpp>

namespace streamweave::detail {

batch_pool::~batch_pool() {
  batch_base* b = nullptr;
  while (free_.try_dequeue(b)) delete b;
  for (batch_base* l : local_) delete l;
}

batch_base* batch_pool::take() noexcept {
  if (!local_.empty()) {
    batch_base* b = local_.back();
    local_.pop_back();
    return b;
  }
  batch_base* b = nullptr;
  return free_.try_dequeue(b) ? b : nullptr;
}

void batch_pool::recycle_local(batch_base* b) noexcept {
  b->reset();
  try {
    local_.push_back(b);
  } catch (...) {
    recycle(b);  // out of memory for the list: use the shared path
  }
}

void batch_pool::recycle(batch_base* b) noexcept {
  b->reset();
  if (!free_.enqueue(b)) delete b;  // enqueue fails only when memory runs out
}

batch_base* pool_take(batch_pool& pool) noexcept { return pool.take(); }

void release_batch(batch_base* b, batch_pool* owner) noexcept {
  const std::uint32_t refs = b->refs.fetch_sub(1, std::memory_order_acq_rel);
  STREAMWEAVE_ASSERT(refs != 0, "release_batch: a batch released more often than it was shared");
  if (refs != 1) return;
  if (b->pool == nullptr) {
    delete b;
  } else if (b->pool == owner) {
    owner->recycle_local(b);
  } else {
    b->pool->recycle(b);
  }
}

}  // namespace streamweave::detail
