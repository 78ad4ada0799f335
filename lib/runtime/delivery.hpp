#pragma once
/// \file
/// Delivery: how a batch leaves a producer (an operator instance or an input handle). An output
/// port has one edge per consumer: a *fused* edge calls the consumer's `on_batch` in the same
/// activation, a *queue* edge pushes into the consumer instance's edge queue, a *routed* edge
/// (exchange) splits the batch by key into one batch per consumer instance. Every batch queued
/// is counted `+1` at its target in the producer's progress buffer, in the same activation, so
/// it is published with the capability that allowed it. A batch that meets a full queue waits
/// in the producer's pending list (in order: everything queues behind it) and the producer
/// registers to be woken when the queue has room.
///
/// Thread safety: a port, its pending list and its progress buffer belong to one producer at a
/// time (the unit's running thread, or the input sender holding the input's mutex).
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/detail/progress_buffer.hpp>

#include "queue/batch_pool.hpp"
#include "queue/edge_queue.hpp"

#include <cstddef>
#include <memory>
#include <vector>

namespace streamweave::internal {

class unit;
class instance_runtime;

/// One consumer attachment of an output port, as seen by one producing instance.
struct output_edge {
  enum class kind { fused, queue, routed };
  kind k = kind::queue;
  progress::location_id target = 0;  // the consumer's (node, input) location
  // fused
  instance_runtime* fused_consumer = nullptr;
  std::size_t fused_port = 0;
  // queue and routed: one destination per consumer instance (queue: exactly one)
  std::vector<edge_queue*> queues;
  std::vector<std::size_t> tokens;
  std::vector<unit*> consumers;
  std::unique_ptr<detail::router> router;
  std::unique_ptr<detail::batch_pool> route_pool;
  std::vector<detail::batch_base*> scratch;
};

struct output_port_runtime {
  std::vector<output_edge> edges;
  detail::batch_pool pool;
  progress::location_id location = 0;
};

/// A batch a full queue did not accept yet. Counted in flight already.
struct pending_push {
  edge_queue* queue;
  std::size_t token;
  detail::batch_base* batch;
  unit* consumer;  // nullptr when the consumer needs no wake-up
};

/// Where deliveries record their effects: the progress source's buffer and pending list.
struct delivery_sink {
  detail::progress_buffer& progress;
  std::vector<pending_push>& pending;
};

/// Sends `b` (one reference, transferred) over every edge of `port`, counting `+1` at each
/// target for each queued batch. Fused edges call the consumer's `on_batch` through `unit`
/// (must be non-null when the port has fused edges).
void deliver(output_port_runtime& port, detail::batch_base* b, std::size_t batch_size, delivery_sink sink, unit* via);

/// Tries to enqueue every pending push in order; stops at the first full queue and registers
/// `wake` on it. Returns true when nothing remains pending.
bool flush_pending(std::vector<pending_push>& pending, producer_waker* wake);

/// Registers `wake` to be resumed when `p`'s queue has room for `p`'s batch.
void wait_for_room(const pending_push& p, producer_waker* wake);

}  // namespace streamweave::internal
