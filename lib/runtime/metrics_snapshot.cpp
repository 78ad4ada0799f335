// execution_state::metrics: a copy of the run's activity counters (observe/metrics.hpp).
//
// Runs on any thread while units run. It reads the counters relaxed (their contract is in
// lib/observe/activity_counters.hpp), frontiers and queue depths through their own atomic
// accessors, the capabilities each unit holds under its ledger's mutex
// (lib/progress/capability_ledger.hpp), an input's time under the input's mutex without
// revoking its bias, and the probes' latency histograms under the epoch log's mutex (lib/observe/epoch_latency.hpp).
#include "runtime/execution_state.hpp"

#include <algorithm>

namespace streamweave::internal {

namespace {

std::chrono::nanoseconds ns(std::uint64_t n) { return std::chrono::nanoseconds(static_cast<std::int64_t>(n)); }

}  // namespace

metrics_snapshot execution_state::metrics() const {
  metrics_snapshot out;
  out.graph = graph_->name;
  out.enabled = config_.metrics;
  const std::int64_t ended = ended_ns_.load(std::memory_order_relaxed);
  const std::int64_t now = ended != 0 ? ended : unit_counters::now_ns();
  out.uptime = std::chrono::nanoseconds(std::max<std::int64_t>(0, now - started_ns_));

  for (std::size_t n = 0; n < wired_.instances.size(); ++n) {
    for (std::size_t i = 0; i < wired_.instances[n].size(); ++i) {
      const instance_runtime& inst = *wired_.instances[n][i];
      if (inst.owner == nullptr) continue;  // an input node: reported under `inputs`
      instance_metrics m;
      m.node = graph_->nodes[n].name;
      m.instance = i;
      m.unit = inst.owner->head->spec->name;
      m.fused = inst.owner->head != &inst;
      m.records_in = inst.counters.records_in.load(std::memory_order_relaxed);
      m.batches_in = inst.counters.batches_in.load(std::memory_order_relaxed);
      m.records_out = inst.counters.records_out.load(std::memory_order_relaxed);
      m.batches_out = inst.counters.batches_out.load(std::memory_order_relaxed);
      if (!m.fused) {
        const unit_counters& c = inst.owner->counters;
        m.activations = c.activations.load(std::memory_order_relaxed);
        m.busy = ns(c.busy_ns.load(std::memory_order_relaxed));
        std::uint64_t backpressured = c.backpressured_ns.load(std::memory_order_relaxed);
        const std::int64_t since = c.blocked_since.load(std::memory_order_relaxed);
        if (since != 0 && now > since) backpressured += static_cast<std::uint64_t>(now - since);  // waiting now
        m.backpressured = ns(backpressured);
        // Counters read a moment apart may overshoot the uptime read first: idle is never negative.
        m.idle = std::max(std::chrono::nanoseconds(0), out.uptime - m.busy - m.backpressured);
      }
      for (std::size_t p = 0; p < inst.input_locations.size(); ++p) {
        input_port_metrics port;
        port.port = p;
        port.frontier = frontier_of(inst.input_locations[p]);
        const std::size_t qi = wired_.queue_index[n][i][p];
        if (qi != wired_graph::no_queue) {
          const edge_queue& q = *wired_.queues[qi];
          port.queued = true;
          port.depth = q.depth();
          port.max_depth = q.max_depth();
          port.capacity = q.capacity();
        }
        m.inputs.push_back(port);
      }
      if (config_.metrics) {
        for (std::size_t o = 0; o < inst.outputs.size(); ++o) {
          output_port_metrics port;
          port.port = o;
          wired_.progress->read_held(inst.owner->slot, inst.outputs[o]->location, port);
          m.outputs.push_back(std::move(port));
        }
      }
      out.instances.push_back(std::move(m));
    }
  }

  for (std::size_t k = 0; k < wired_.inputs.size(); ++k) {
    const input_binding& b = *wired_.inputs[k];
    detail::input_state& state = *wired_.input_states[k];
    input_metrics m;
    m.node = state.name();
    {
      const auto lock = state.lock_for_reading();  // the time changes under the mutex only
      m.time = state.time();
      m.closed = state.closed();
      // Written under the mutex by the sender that hands a batch over.
      m.records_sent = b.counters.records_sent.load(std::memory_order_relaxed);
      m.batches_sent = b.counters.batches_sent.load(std::memory_order_relaxed);
      m.blocked = ns(b.counters.blocked_ns.load(std::memory_order_relaxed));
    }
    out.inputs.push_back(std::move(m));
  }

  for (std::size_t k = 0; k < graph_->probes.size(); ++k) {
    const detail::probe_spec& spec = graph_->probes[k];
    probe_metrics m;
    m.node = graph_->nodes[spec.node].name;
    m.port = spec.port;
    m.probe = k;
    m.frontier = spec.state->frontier.load(std::memory_order_acquire);
    m.epoch_latency = epoch_latency_.histogram(k);
    out.probes.push_back(std::move(m));
  }
  return out;
}

}  // namespace streamweave::internal
