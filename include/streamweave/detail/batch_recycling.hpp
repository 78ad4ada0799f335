#pragma once
/// \file
/// The batch pool's door for header code. The pool itself (`batch_pool`, owned by a
/// producer) lives in lib/queue/batch_pool.{hpp,cpp} and stays opaque to the public headers;
/// inline batch code (detail/batch.hpp, input handles, operator bodies) reaches it only through
/// the two functions declared here, which lib/queue/batch_pool.cpp defines.

namespace streamweave::detail {

struct batch_base;
class batch_pool;

/// Takes a recycled batch from `pool`, or nullptr when it has none. Thread safety: one taker
/// (the owning producer) at a time; recycling may happen concurrently from any thread.
batch_base* pool_take(batch_pool& pool) noexcept;

/// Drops one reference; the last one returns the batch to its pool (or deletes it).
/// Memory ordering: acq_rel on the count, so the releasing thread's reads happen before reuse.
/// With `owner` (the calling producer's own pool, on that producer's thread), a last reference
/// to a batch of that pool is recycled without atomics.
void release_batch(batch_base* b, batch_pool* owner = nullptr) noexcept;

}  // namespace streamweave::detail
