// to_dot(graph): the logical graph as DOT (observe/dot.hpp).
#include <streamweave/graph/graph.hpp>
#include <streamweave/observe/dot.hpp>

#include "observe/dot_text.hpp"

namespace streamweave {

namespace {

const char* shape_of(detail::node_kind k) {
  switch (k) {
    case detail::node_kind::input: return "cds";
    case detail::node_kind::source: return "invhouse";
    case detail::node_kind::sink: return "house";
    case detail::node_kind::operator_node: break;
  }
  return "box";
}

const char* kind_name(detail::node_kind k) {
  switch (k) {
    case detail::node_kind::input: return "input";
    case detail::node_kind::source: return "source";
    case detail::node_kind::sink: return "sink";
    case detail::node_kind::operator_node: break;
  }
  return "operator";
}

}  // namespace

std::string to_dot(const graph& g) {
  using internal::dot_escape;
  using internal::dot_quoted;
  const detail::graph_state& state = *detail::graph_access::state_of(g);
  std::string out = "digraph " + dot_quoted(state.name) + " {\n";
  out += "  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n";
  out += "  label=" + dot_quoted("graph " + state.name) + ";\n";
  for (std::size_t n = 0; n < state.nodes.size(); ++n) {
    const auto& spec = state.nodes[n];
    std::string label = dot_escape(spec.name) + "\\n" + kind_name(spec.kind);
    if (spec.parallelism > 1) label += " x" + std::to_string(spec.parallelism);
    out += "  n" + std::to_string(n) + " [shape=" + shape_of(spec.kind) + ", label=\"" + label + "\"];\n";
  }
  for (const auto& e : state.edges) {
    std::string attrs;
    if (e.exchange) attrs = "label=\"exchange\", style=bold";
    else if (e.new_chain) attrs = "label=\"new chain\", style=dashed";
    const auto& from = state.nodes[e.from_node];
    const auto& to = state.nodes[e.to_node];
    if (from.outputs > 1 || to.inputs > 1) {
      const std::string ports = "out " + std::to_string(e.from_port) + " -> in " + std::to_string(e.to_port);
      attrs += (attrs.empty() ? "taillabel=\"" : ", taillabel=\"") + ports + "\"";
    }
    out += "  n" + std::to_string(e.from_node) + " -> n" + std::to_string(e.to_node);
    if (!attrs.empty()) out += " [" + attrs + "]";
    out += ";\n";
  }
  for (std::size_t p = 0; p < state.probes.size(); ++p) {
    const std::string id = "probe" + std::to_string(p);
    out += "  " + id + " [shape=point, xlabel=\"probe " + std::to_string(p) + "\"];\n";
    out += "  n" + std::to_string(state.probes[p].node) + " -> " + id + " [style=dotted, arrowhead=none];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace streamweave
