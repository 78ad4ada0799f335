#pragma once
/// \file
/// Recycles batch objects (with their record capacity) between a producer and the threads
/// that release its batches. The only user of moodycamel's ConcurrentQueue for batch memory.
/// Thread safety: `take` from the owning producer only (one at a time); `recycle` from any
/// thread. The pool must outlive every batch it handed out.
#include <streamweave/detail/batch.hpp>

#include <concurrentqueue.h>

namespace streamweave::detail {

class batch_pool {
 public:
  batch_pool() = default;
  batch_pool(const batch_pool&) = delete;
  batch_pool& operator=(const batch_pool&) = delete;
  ~batch_pool();

  batch_base* take() noexcept;
  void recycle(batch_base* b) noexcept;

 private:
  moodycamel::ConcurrentQueue<batch_base*> free_;
};

}  // namespace streamweave::detail
