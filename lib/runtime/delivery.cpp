#include "runtime/delivery.hpp"

#include "scheduler/unit.hpp"

#include <utility>

namespace streamweave::internal {

namespace {

/// Releases a batch reference when the scope ends (also on exceptions from user code).
class batch_ref_guard {
 public:
  batch_ref_guard(detail::batch_base* b, detail::batch_pool* owned) noexcept : b_(b), owned_(owned) {}
  ~batch_ref_guard() {
    if (b_ != nullptr) detail::release_batch(b_, owned_);
  }
  batch_ref_guard(const batch_ref_guard&) = delete;
  batch_ref_guard& operator=(const batch_ref_guard&) = delete;

  detail::batch_base* get() const noexcept { return b_; }
  /// Hands the reference on: the guard no longer releases it.
  detail::batch_base* release() noexcept { return std::exchange(b_, nullptr); }
  /// Drops the reference now.
  void reset() noexcept {
    if (b_ != nullptr) detail::release_batch(std::exchange(b_, nullptr), owned_);
  }

 private:
  detail::batch_base* b_;
  detail::batch_pool* owned_;
};

/// Pushes `ref`'s batch onto `q`, or queues it on the sink's pending list; either way the
/// reference is handed on (and released by the guard if the pending list cannot grow).
void push_or_pend(edge_queue* q, std::size_t token, batch_ref_guard& ref, unit* consumer, delivery_sink& sink) {
  // Keep this source's batches in order: once something waits, everything queues behind it.
  if (sink.pending.empty() && q->try_push(ref.get(), token)) {
    ref.release();
    if (consumer != nullptr) consumer->schedule();
    return;
  }
  sink.pending.push_back(pending_push{q, token, ref.get(), consumer});
  ref.release();
}

}  // namespace

/// Registers `wake` to be resumed when `p`'s queue has room for `p`'s batch.
void wait_for_room(const pending_push& p, producer_waker* wake) {
  p.queue->add_waiter(p.token, wake, p.queue->byte_budget() != 0 ? p.batch->bytes() : 0);
}

void deliver(output_port_runtime& port, detail::batch_base* b, std::size_t batch_size, delivery_sink sink, unit* via) {
  // Inside a unit's activation the port's pool is the unit's own; input handles (via == null)
  // use the shared recycling path.
  detail::batch_pool* owned = via != nullptr ? &port.pool : nullptr;
  batch_ref_guard original(b, owned);
  const std::size_t edges = port.edges.size();
  for (std::size_t e = 0; e < edges; ++e) {
    auto& edge = port.edges[e];
    // Every edge holds its own reference: the last one takes the caller's, the others share
    // it, so a port with one edge (the common case) touches the count not at all.
    batch_ref_guard ref(e + 1 == edges ? original.release() : detail::share_batch(*b), owned);
    switch (edge.k) {
      case output_edge::kind::fused: {
        instance_runtime* previous = via->current;
        via->current = edge.fused_consumer;
        edge.fused_consumer->count_in(*ref.get());
        detail::activation act(*edge.fused_consumer);
        edge.fused_consumer->body->on_batch(act, edge.fused_port, *ref.get());
        via->current = previous;
        break;
      }
      case output_edge::kind::queue:
        sink.progress.post(edge.target, b->time, +1);
        push_or_pend(edge.queues[0], edge.tokens[0], ref, edge.consumers[0], sink);
        break;
      case output_edge::kind::routed: {
        try {
          edge.router->route(*ref.get(), *edge.route_pool, batch_size, edge.scratch);
        } catch (...) {
          for (auto*& s : edge.scratch)
            if (s != nullptr) detail::release_batch(std::exchange(s, nullptr));
          throw;
        }
        ref.reset();
        for (std::size_t d = 0; d < edge.scratch.size(); ++d) {
          batch_ref_guard part(std::exchange(edge.scratch[d], nullptr), nullptr);
          if (part.get() == nullptr) continue;
          sink.progress.post(edge.target, part.get()->time, +1);
          push_or_pend(edge.queues[d], edge.tokens[d], part, edge.consumers[d], sink);
        }
        break;
      }
    }
  }
}

bool flush_pending(std::vector<pending_push>& pending, producer_waker* wake) {
  std::size_t done = 0;
  for (; done < pending.size(); ++done) {
    auto& p = pending[done];
    if (!p.queue->try_push(p.batch, p.token)) break;
    if (p.consumer != nullptr) p.consumer->schedule();
  }
  pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(done));
  if (!pending.empty()) wait_for_room(pending.front(), wake);
  return pending.empty();
}

}  // namespace streamweave::internal
