// to_dot(execution): the run's instances, units and connections as DOT, with live counts
// (observe/dot.hpp). Reads the wiring (fixed for the run's life) and a metrics snapshot.
#include <streamweave/observe/dot.hpp>

#include "observe/dot_text.hpp"
#include "runtime/execution_state.hpp"

#include <chrono>

namespace streamweave {

namespace internal {

namespace {

std::string instance_id(std::size_t node, std::size_t index) {
  return "i" + std::to_string(node) + "_" + std::to_string(index);
}

/// "12 ms", or "345 us" below 10 ms.
std::string millis(std::chrono::nanoseconds d) {
  if (d < std::chrono::milliseconds(10))
    return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(d).count()) + " us";
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

std::string execution_state::to_dot() const {
  const metrics_snapshot snap = metrics();
  std::string out = "digraph " + dot_quoted(graph_->name) + " {\n";
  out += "  rankdir=LR;\n  compound=true;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  out += "  label=" + dot_quoted("run of graph " + graph_->name + ", " + millis(snap.uptime)) + ";\n";

  // The snapshot lists the instances in node order, then instance order, as wired_.instances.
  std::vector<std::size_t> first_of_node(wired_.instances.size() + 1, 0);
  for (std::size_t n = 0; n < wired_.instances.size(); ++n) first_of_node[n + 1] = first_of_node[n] + wired_.instances[n].size();
  auto instance_node = [&](const instance_runtime& inst, const char* indent) {
    const instance_metrics& m = snap.instances[first_of_node[inst.node] + inst.index];
    std::string label = dot_escape(m.node) + " #" + std::to_string(m.instance) + "\\nin " + std::to_string(m.records_in) +
                        " / out " + std::to_string(m.records_out) + " records";
    if (!m.fused) label += "\\nbusy " + millis(m.busy) + ", " + std::to_string(m.activations) + " activations";
    for (const auto& o : m.outputs)  // what holds time back downstream: worth seeing on the node
      if (o.capabilities != 0)
        label += "\\nholds " + std::to_string(o.capabilities) + " at t>=" + std::to_string(o.earliest) +
                 (m.outputs.size() > 1 ? " (out " + std::to_string(o.port) + ")" : "");
    return indent + instance_id(inst.node, inst.index) + " [label=\"" + label + "\"];\n";
  };
  // Every instance is a member of exactly one unit; a unit with fused members is a cluster.
  for (const auto& u : wired_.units) {
    if (u->members.size() == 1) {
      out += instance_node(*u->head, "  ");
      continue;
    }
    out += "  subgraph cluster_u" + std::to_string(u->slot) + " {\n    style=rounded;\n    label=" +
           dot_quoted("fused: " + u->head->spec->name + " #" + std::to_string(u->head->index)) + ";\n";
    for (const instance_runtime* m : u->members) out += instance_node(*m, "    ");
    out += "  }\n";
  }

  std::vector<std::size_t> input_of_node(graph_->nodes.size(), 0);
  for (std::size_t k = 0; k < snap.inputs.size(); ++k) {
    const input_metrics& m = snap.inputs[k];
    out += "  in" + std::to_string(k) + " [shape=cds, label=\"" + dot_escape(m.node) + " (input)\\nsent " +
           std::to_string(m.records_sent) + " records, time " + std::to_string(m.time) + (m.closed ? ", closed" : "") +
           "\"];\n";
  }
  for (std::size_t n = 0, k = 0; n < graph_->nodes.size(); ++n)
    if (graph_->nodes[n].kind == detail::node_kind::input) input_of_node[n] = k++;

  // Connections, as lib/runtime/wiring.cpp makes them.
  for (const auto& e : graph_->edges) {
    const auto& from = graph_->nodes[e.from_node];
    const auto& to = graph_->nodes[e.to_node];
    const bool from_input = from.kind == detail::node_kind::input;
    const std::size_t producers = from_input ? 1 : from.parallelism;
    for (std::size_t i = 0; i < producers; ++i) {
      const std::string tail = from_input ? "in" + std::to_string(input_of_node[e.from_node]) : instance_id(e.from_node, i);
      auto connect = [&](std::size_t j) {
        const std::size_t qi = wired_.queue_index[e.to_node][j][e.to_port];
        std::string attrs;
        if (qi == wired_graph::no_queue) {
          attrs = "label=\"fused\", style=bold, color=gray40";
        } else {
          const edge_queue& q = *wired_.queues[qi];
          attrs = "label=\"" + std::string(e.exchange ? "exchange\\n" : "") + std::to_string(q.depth()) + "/" +
                  std::to_string(q.capacity()) + " queued, peak " + std::to_string(q.max_depth()) + "\"";
          if (e.exchange) attrs += ", style=bold";
        }
        out += "  " + tail + " -> " + instance_id(e.to_node, j) + " [" + attrs + "];\n";
      };
      if (e.exchange) {
        for (std::size_t j = 0; j < to.parallelism; ++j) connect(j);
      } else {
        connect(producers == to.parallelism ? i : i % to.parallelism);
      }
    }
  }
  out += "}\n";
  return out;
}

}  // namespace internal

std::string to_dot(const execution& ex) { return ex.state_->to_dot(); }

}  // namespace streamweave
