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

 private:
  detail::batch_base* b_;
  detail::batch_pool* owned_;
};

void push_or_pend(edge_queue* q, std::size_t token, detail::batch_base* b, unit* consumer, delivery_sink& sink) {
  // Keep this source's batches in order: once something waits, everything queues behind it.
  if (sink.pending.empty() && q->try_push(b, token)) {
    if (consumer != nullptr) consumer->schedule();
    return;
  }
  sink.pending.push_back(pending_push{q, token, b, consumer});
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
  batch_ref_guard original(b, owned);  // every edge takes its own reference
  for (auto& edge : port.edges) {
    detail::batch_base* ref = detail::share_batch(*b);
    switch (edge.k) {
      case output_edge::kind::fused: {
        batch_ref_guard guard(ref, owned);
        instance_runtime* previous = via->current;
        via->current = edge.fused_consumer;
        detail::activation act(*edge.fused_consumer);
        edge.fused_consumer->body->on_batch(act, edge.fused_port, *ref);
        via->current = previous;
        break;
      }
      case output_edge::kind::queue:
        sink.progress.post(edge.target, ref->time, +1);
        push_or_pend(edge.queues[0], edge.tokens[0], ref, edge.consumers[0], sink);
        break;
      case output_edge::kind::routed: {
        {
          batch_ref_guard guard(ref, owned);
          try {
            edge.router->route(*ref, *edge.route_pool, batch_size, edge.scratch);
          } catch (...) {
            for (auto*& s : edge.scratch)
              if (s != nullptr) detail::release_batch(std::exchange(s, nullptr));
            throw;
          }
        }
        for (std::size_t d = 0; d < edge.scratch.size(); ++d) {
          detail::batch_base* part = std::exchange(edge.scratch[d], nullptr);
          if (part == nullptr) continue;
          sink.progress.post(edge.target, part->time, +1);
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
