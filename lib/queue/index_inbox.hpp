#pragma once
/// \file
/// `index_inbox`: an unbounded many-producer queue of small indices (the progress hub's dirty
/// slots). Producers are any threads; the consumer is the one thread that owns the tracker at
/// the time. Built on moodycamel's ConcurrentQueue, which keeps this the only user of it
/// outside the edge queues and the batch pool.
/// Memory ordering: `push` releases what the producer wrote before it to the `try_pop` that
/// returns its index (the queue's own release/acquire).
#include <concurrentqueue.h>

#include <cstdint>

namespace streamweave::internal {

class index_inbox {
 public:
  /// False only when memory runs out.
  bool push(std::uint32_t index) { return queue_.enqueue(index); }
  bool try_pop(std::uint32_t& index) { return queue_.try_dequeue(index); }

 private:
  moodycamel::ConcurrentQueue<std::uint32_t> queue_;
};

}  // namespace streamweave::internal
