#include "runtime/wiring.hpp"

#include "progress/loop_summaries.hpp"
#include "runtime/loop_validation.hpp"
#include "scheduler/unit.hpp"

#include <streamweave/error.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace streamweave::internal {

namespace {

/// Turns what a user's builder or source factory threw while `runtime::run` built the bodies
/// into an `operator_error` naming the node, with the original nested. Call from a handler.
[[noreturn]] void rethrow_builder_failure(const std::string& node, std::size_t index, std::size_t count) {
  const std::string where = "building instance " + std::to_string(index) + " of " + std::to_string(count) + " threw";
  try {
    throw;
  } catch (const std::exception& e) {
    throw operator_error(node, where + ": " + e.what());  // nests the exception being handled
  } catch (...) {
    throw operator_error(node, where + " an unknown exception");
  }
}

/// One wiring pass over a graph; each step uses what the earlier ones made.
struct wiring {
  wiring(wired_graph& out, const detail::graph_state& graph, const runtime_config& config, execution_state& exec,
         progress_listener& listener)
      : out(out), graph(graph), config(config), exec(exec), listener(listener) {}

  /// Every stream is consumed (or probed), else `graph_error` naming its producer.
  void check_streams() {
    auto& nodes = graph.nodes;
    const std::size_t n_nodes = nodes.size();
    // Consumers of every output port, for validation, fusion and probes.
    consumers.resize(n_nodes);
    for (std::size_t n = 0; n < n_nodes; ++n) consumers[n].resize(nodes[n].outputs);
    for (const auto& e : graph.edges) consumers[e.from_node][e.from_port].push_back(&e);
    std::vector<std::vector<bool>> probed(n_nodes);
    for (std::size_t n = 0; n < n_nodes; ++n) probed[n].assign(nodes[n].outputs, false);
    for (const auto& p : graph.probes) probed[p.node][p.port] = true;
    for (const auto& cell : graph.chains)
      if (!cell->consumed)
        throw graph_error("graph '" + graph.name + "': the stream produced by '" + cell->name +
                          "' is never consumed (dangling stream); attach an operator, a sink or a probe");
    for (std::size_t n = 0; n < n_nodes; ++n)
      for (std::size_t o = 0; o < nodes[n].outputs; ++o)
        if (consumers[n][o].empty() && !probed[n][o] && !nodes[n].capability_only_output)
          throw graph_error("graph '" + graph.name + "': the stream produced by '" + nodes[n].name +
                            "' is never consumed (dangling stream); attach an operator, a sink or a probe");
  }

  /// The tracker of the graph's locations and path summaries, inside the progress hub.
  void make_tracker() {
    auto& nodes = graph.nodes;
    const std::size_t n_nodes = nodes.size();
    using tracker_type = progress::tracker<scoped_time>;
    // Each location's frontier is then an ordered map's first positive entry, not a re-sort.
    static_assert(mutable_antichain<scoped_time>::totally_ordered);
    std::vector<progress::node_shape<scoped_time>> shapes;
    shapes.reserve(n_nodes);
    for (const auto& spec : nodes) shapes.push_back({spec.name, spec.inputs, spec.outputs, summaries_of(spec)});
    std::vector<std::pair<tracker_type::port_ref, tracker_type::port_ref>> edges;
    for (const auto& e : graph.edges) edges.push_back({{e.from_node, e.from_port}, {e.to_node, e.to_port}});
    std::unique_ptr<tracker_type> tracker;
    try {
      tracker = std::make_unique<tracker_type>(std::move(shapes), edges);
    } catch (const std::invalid_argument& e) {
      throw graph_error("graph '" + graph.name + "': " + e.what());
    }
    out.progress = std::make_unique<progress_hub>(std::move(tracker), listener);
  }

  /// Which edges are fused into their producer's unit.
  void decide_fusion() {
    auto& nodes = graph.nodes;
    // Which edges are fused: a pipeline edge into a stateless single-input operator that is the
    // only consumer of its producer's output, with equal parallelism, from a scheduled producer,
    // unless the user started a new chain there.
    fused_edge.assign(graph.edges.size(), false);
    for (std::size_t i = 0; i < graph.edges.size(); ++i) {
      const auto& e = graph.edges[i];
      const auto& from = nodes[e.from_node];
      const auto& to = nodes[e.to_node];
      fused_edge[i] = to.fusable && to.inputs == 1 && !e.exchange && !e.new_chain && from.parallelism == to.parallelism &&
                      consumers[e.from_node][e.from_port].size() == 1 && from.kind != detail::node_kind::input;
    }
  }

  /// One instance per node and parallel copy; one edge queue per unfused input port.
  void make_instances_and_queues() {
    auto& nodes = graph.nodes;
    const std::size_t n_nodes = nodes.size();
    const auto& layout = out.progress->layout();
    out.instances.resize(n_nodes);
    out.queue_index.resize(n_nodes);
    for (std::size_t n = 0; n < n_nodes; ++n) {
      const auto& spec = nodes[n];
      if (spec.kind == detail::node_kind::input) continue;
      out.queue_index[n].assign(spec.parallelism, std::vector<std::size_t>(spec.inputs, wired_graph::no_queue));
      for (std::size_t i = 0; i < spec.parallelism; ++i) {
        auto inst = std::make_unique<instance_runtime>();
        inst->exec = &exec;
        inst->count_activity = config.metrics;
        inst->node = n;
        inst->index = i;
        inst->count = spec.parallelism;
        inst->spec = &spec;
        inst->inputs.assign(spec.inputs, nullptr);
        for (std::size_t p = 0; p < spec.inputs; ++p) inst->input_locations.push_back(layout.target(n, p));
        inst->frontier_snapshot.assign(spec.inputs, 0);
        for (std::size_t o = 0; o < spec.outputs; ++o) {
          inst->outputs.push_back(std::make_unique<output_port_runtime>());
          inst->outputs.back()->location = layout.source(n, o);
        }
        out.instances[n].push_back(std::move(inst));
      }
    }
    for (std::size_t ei = 0; ei < graph.edges.size(); ++ei) {
      if (fused_edge[ei]) continue;
      const auto& e = graph.edges[ei];
      const auto& from = nodes[e.from_node];
      const auto& to = nodes[e.to_node];
      // One producer per queue (a pipeline edge, or an input whose senders serialise on its
      // mutex): SPSC. Several producers (exchange, or a merge of unequal parallelism): MPMC.
      const bool single_producer = !e.exchange && from.parallelism == to.parallelism;
      for (std::size_t j = 0; j < to.parallelism; ++j) {
        auto k = single_producer ? edge_queue::kind::spsc : edge_queue::kind::mpmc;
        out.queue_index[e.to_node][j][e.to_port] = out.queues.size();
        out.queues.push_back(std::make_unique<edge_queue>(k, config.queue_capacity, config.queue_bytes));
        out.instances[e.to_node][j]->inputs[e.to_port] = out.queues.back().get();
      }
    }
  }

  /// Scheduling units and their members.
  void make_units() {
    auto& nodes = graph.nodes;
    const std::size_t n_nodes = nodes.size();
    // Units: every instance not fused into its producer heads one; fused ones join the
    // producer's unit. Nodes are in topological order (a stream exists before its consumers).
    std::vector<bool> fused_node(n_nodes, false);
    for (std::size_t ei = 0; ei < graph.edges.size(); ++ei)
      if (fused_edge[ei]) fused_node[graph.edges[ei].to_node] = true;
    for (std::size_t n = 0; n < n_nodes; ++n) {
      if (nodes[n].kind == detail::node_kind::input || fused_node[n]) continue;
      for (auto& inst : out.instances[n]) {
        auto u = std::make_unique<unit>();
        u->exec = &exec;
        u->count_activity = config.metrics;
        if (config.trace_capacity != 0) u->trace = std::make_unique<trace_ring<activation_span>>(config.trace_capacity);
        u->head = inst.get();
        u->members.push_back(inst.get());
        u->slot = static_cast<std::uint32_t>(out.units.size());
        u->unthrottled = nodes[n].role == detail::loop_role::feedback;
        inst->owner = u.get();
        out.units.push_back(std::move(u));
      }
    }
    for (std::size_t ei = 0; ei < graph.edges.size(); ++ei) {
      if (!fused_edge[ei]) continue;
      const auto& e = graph.edges[ei];
      for (std::size_t j = 0; j < nodes[e.to_node].parallelism; ++j) {
        unit* u = out.instances[e.from_node][j]->owner;
        out.instances[e.to_node][j]->owner = u;
        u->members.push_back(out.instances[e.to_node][j].get());
      }
    }
  }

  /// Input bindings, and one progress slot per unit and input.
  void make_inputs() {
    auto& nodes = graph.nodes;
    const std::size_t n_nodes = nodes.size();
    const auto& layout = out.progress->layout();
    for (std::size_t n = 0; n < n_nodes; ++n) {
      if (nodes[n].kind != detail::node_kind::input) continue;
      auto b = std::make_unique<input_binding>();
      b->exec = &exec;
      b->state = nodes[n].input.get();
      b->output = std::make_unique<output_port_runtime>();
      b->output->location = layout.source(n, 0);
      b->location = b->output->location;
      b->index = out.inputs.size();
      out.inputs.push_back(std::move(b));
      out.input_states.push_back(nodes[n].input);
    }
    out.progress->set_slot_count(out.units.size() + out.inputs.size());
    if (config.metrics) out.progress->track_capabilities(out.units.size());  // inputs report their time instead
    for (std::size_t i = 0; i < out.inputs.size(); ++i) out.inputs[i]->slot = static_cast<std::uint32_t>(out.units.size() + i);
  }

  /// Attaches one consumer edge to `port`, for the producer copy `producer_index` of
  /// `producer_count`.
  void connect(output_port_runtime& port, const detail::edge_spec& e, std::size_t ei, std::size_t producer_index,
               std::size_t producer_count) {
    auto& nodes = graph.nodes;
    const auto& layout = out.progress->layout();
    const auto& to = nodes[e.to_node];
    output_edge edge;
    edge.target = layout.target(e.to_node, e.to_port);
    if (fused_edge[ei]) {
      edge.k = output_edge::kind::fused;
      edge.fused_consumer = out.instances[e.to_node][producer_index].get();
      edge.fused_port = e.to_port;
    } else if (e.exchange) {
      edge.k = output_edge::kind::routed;
      for (std::size_t j = 0; j < to.parallelism; ++j) {
        edge_queue* q = out.queues[out.queue_index[e.to_node][j][e.to_port]].get();
        edge.queues.push_back(q);
        edge.tokens.push_back(q->add_producer());
        edge.consumers.push_back(out.instances[e.to_node][j]->owner);
      }
      edge.router = e.exchange->make_router();
      edge.route_pool = std::make_unique<detail::batch_pool>();
      edge.scratch.assign(to.parallelism, nullptr);
    } else {
      edge.k = output_edge::kind::queue;
      const std::size_t j = producer_count == to.parallelism ? producer_index : producer_index % to.parallelism;
      edge_queue* q = out.queues[out.queue_index[e.to_node][j][e.to_port]].get();
      edge.queues.push_back(q);
      edge.tokens.push_back(q->add_producer());
      edge.consumers.push_back(out.instances[e.to_node][j]->owner);
    }
    port.edges.push_back(std::move(edge));
  }

  /// The output edges of every producing instance and input.
  void make_output_edges() {
    auto& nodes = graph.nodes;
    const std::size_t n_nodes = nodes.size();
    std::vector<std::size_t> input_index(n_nodes, 0);
    for (std::size_t n = 0, k = 0; n < n_nodes; ++n)
      if (nodes[n].kind == detail::node_kind::input) input_index[n] = k++;
    for (std::size_t ei = 0; ei < graph.edges.size(); ++ei) {
      const auto& e = graph.edges[ei];
      const auto& from = nodes[e.from_node];
      if (from.kind == detail::node_kind::input) {
        connect(*out.inputs[input_index[e.from_node]]->output, e, ei, 0, 1);
      } else {
        for (std::size_t i = 0; i < from.parallelism; ++i)
          connect(*out.instances[e.from_node][i]->outputs[e.from_port], e, ei, i, from.parallelism);
      }
    }
  }

  /// Operator bodies, with their initial capabilities counted in their unit's buffer.
  void make_bodies() {
    auto& nodes = graph.nodes;
    const std::size_t n_nodes = nodes.size();
    for (std::size_t n = 0; n < n_nodes; ++n) {
      const auto& spec = nodes[n];
      for (auto& inst : out.instances[n]) {
        detail::instance_info info;
        info.index = inst->index;
        info.count = inst->count;
        info.batch_size = config.batch_size;
        info.progress = &inst->owner->progress;
        info.name = &spec.name;
        for (auto& port : inst->outputs) info.output_locations.push_back(port->location);
        std::vector<capability> initial;
        if (spec.initial_capability)
          for (auto loc : info.output_locations) initial.push_back(capability::mint(info.progress, loc, 0));
        try {
          inst->body = spec.make_body(info, std::move(initial));
        } catch (...) {
          rethrow_builder_failure(spec.name, inst->index, inst->count);
        }
      }
    }
  }

  /// Which locations each probe watches.
  void watch_probes() {
    const auto& layout = out.progress->layout();
    // Probes watch the targets that consume their stream (so "complete" includes processing by
    // the consumers), or the stream's own source when nothing consumes it.
    for (const auto& p : graph.probes) {
      std::vector<progress::location_id> watch;
      for (const auto* e : consumers[p.node][p.port]) watch.push_back(layout.target(e->to_node, e->to_port));
      if (watch.empty()) watch.push_back(layout.source(p.node, p.port));
      std::sort(watch.begin(), watch.end());
      watch.erase(std::unique(watch.begin(), watch.end()), watch.end());
      out.progress->add_probe(p.state, std::move(watch));
    }
  }

  wired_graph& out;
  const detail::graph_state& graph;
  const runtime_config& config;
  execution_state& exec;
  progress_listener& listener;
  /// consumers[node][output]: the edges leaving that output port.
  std::vector<std::vector<std::vector<const detail::edge_spec*>>> consumers;
  std::vector<bool> fused_edge;  // per graph edge
};

}  // namespace

void wire(wired_graph& out, const detail::graph_state& graph, const runtime_config& config, execution_state& exec,
          progress_listener& listener) {
  const running_buffer_scope no_activation(nullptr);  // may be called from inside one
  wiring w(out, graph, config, exec, listener);
  w.check_streams();
  validate_loops(graph);
  w.make_tracker();
  w.decide_fusion();
  w.make_instances_and_queues();
  w.make_units();
  w.make_inputs();
  w.make_output_edges();
  w.make_bodies();
  w.watch_probes();
}

void wired_graph::release() noexcept {
  const running_buffer_scope no_activation(nullptr);  // may be called from inside one
  for (auto& u : units) {
    for (auto& p : u->pending) detail::release_batch(p.batch);
    u->pending.clear();
  }
  for (auto& b : inputs) {
    for (auto& p : b->pending) detail::release_batch(p.batch);
    b->pending.clear();
  }
  queues.clear();
  for (auto& per_node : instances)
    for (auto& inst : per_node) inst->body.reset();
  instances.clear();
}

}  // namespace streamweave::internal
