#include "queue/batch_pool.hpp"

#include <streamweave/detail/assert.hpp>

#include <utility>

namespace streamweave::detail {

namespace {
void delete_list(batch_base* b) noexcept {
  while (b != nullptr) delete std::exchange(b, b->next_free);
}
}  // namespace

batch_pool::~batch_pool() {
  delete_list(returned_.exchange(nullptr, std::memory_order_acquire));
  delete_list(owned_);
}

batch_base* batch_pool::take() noexcept {
  if (owned_ == nullptr) owned_ = returned_.exchange(nullptr, std::memory_order_acquire);
  batch_base* b = owned_;
  if (b != nullptr) {
    owned_ = b->next_free;
    b->next_free = nullptr;
  }
  return b;
}

void batch_pool::recycle_local(batch_base* b) noexcept {
  b->reset();
  b->next_free = owned_;
  owned_ = b;
}

void batch_pool::recycle(batch_base* b) noexcept {
  b->reset();
  b->next_free = returned_.load(std::memory_order_relaxed);
  // release: publishes the reset and the link to the owner's acquiring exchange in `take`.
  while (!returned_.compare_exchange_weak(b->next_free, b, std::memory_order_release, std::memory_order_relaxed)) {
  }
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
