#pragma once
/// \file
/// Graphviz DOT of a graph, as built and as it runs (docs/observability.md, "Graph pictures").
/// Render with `dot -Tsvg graph.dot -o graph.svg`.
///
///  - `to_dot(const graph&)`: the logical graph, one DOT node per graph node (inputs, sources,
///    operators, sinks; "xN" for N parallel instances), one edge per stream, exchanges and
///    `start_new_chain` edges marked. A chain of stateless operators is one node (named after
///    its last operator), as the graph holds it.
///  - `to_dot(const execution&)`: what the run made of it: one DOT node per operator instance
///    and input handle, each scheduling unit that holds fused instances drawn as a cluster, one
///    edge per instance-to-instance connection (an exchange connects every producer instance to
///    every consumer instance), and the live counts: records in and out per instance, queue
///    depth, peak and capacity on every queued edge.
///
/// Thread safety: `to_dot(graph)` like the rest of graph building (single-threaded);
/// `to_dot(execution)` from any thread, as `execution::metrics()`.
#include <string>

namespace streamweave {

class graph;
class execution;

std::string to_dot(const graph& g);
std::string to_dot(const execution& ex);

}  // namespace streamweave
