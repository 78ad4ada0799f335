#pragma once
/// \file
/// Recycles batch objects (with their record capacity) between a producer and the threads
/// that release its batches. Both free lists are intrusive (linked through
/// `batch_base::next_free`), so recycling never allocates:
/// - batches released by other threads are pushed onto `returned_`, a lock-free stack (one CAS
///   per batch). The owner never pops single entries from it: when its own list runs dry it
///   takes the whole stack with one `exchange`, so there is no ABA problem;
/// - batches whose last reference the owner itself drops (a fused chain inside one activation)
///   and the batches it took from `returned_` sit on `owned_`, an owner-only list touched with
///   no atomic operation at all.
/// Thread safety: `take` and `recycle_local` from the owning producer only (one at a time,
/// serialised by its activations); `recycle` from any thread. Memory ordering: a push is a
/// release CAS and the owner's `exchange` acquires, so a batch's reset records and its
/// `next_free` link are visible to the owner before it reuses the batch. The pool must
/// outlive every batch it handed out.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/batch_recycling.hpp>

#include <atomic>

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
  // Written by every releasing thread: on its own cache line, away from the owner's list.
  alignas(64) std::atomic<batch_base*> returned_{nullptr};
  alignas(64) batch_base* owned_ = nullptr;  // owner only
};

}  // namespace streamweave::detail
