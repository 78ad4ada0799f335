#pragma once
/// \file
/// Recycles batch objects (with their record capacity) between a producer and the threads
/// that release its batches. Batches released by other threads come back through a moodycamel
/// ConcurrentQueue; batches whose last reference the owner itself drops (a fused chain inside
/// one activation) go to an owner-only free list, with no atomic operation at all.
/// Thread safety: `take` and `recycle_local` from the owning producer only (one at a time,
/// serialised by its activations); `recycle` from any thread. The pool must outlive every batch
/// it handed out.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/batch_recycling.hpp>

#include <concurrentqueue.h>
#include <vector>

namespace streamweave::detail {

class batch_pool {
 public:
  batch_pool() = default;
  batch_pool(const batch_pool&) = delete;
  batch_pool& operator=(const batch_pool&) = delete;
  ~batch_pool();

  batch_base* take() noexcept;
  void recycle(batch_base* b) noexcept;
  /// Owner only: `b`'s last reference was dropped by the owner's own activation.
  void recycle_local(batch_base* b) noexcept;

 private:
  moodycamel::ConcurrentQueue<batch_base*> free_;
  std::vector<batch_base*> local_;  // owner only
};

}  // namespace streamweave::detail
