#include "runtime/loop_validation.hpp"

#include <streamweave/error.hpp>
#include <streamweave/loop/loop_time.hpp>

#include <string>
#include <vector>

namespace streamweave::internal {

namespace {

using detail::loop_role;

std::string scope_name(const detail::graph_state& g, std::size_t scope) {
  return scope == 0 ? std::string("outside any loop") : "in loop '" + g.loops[scope - 1].name + "'";
}

/// The loop scope each node runs in (0 = outside any loop). Nodes are added after the streams
/// they consume, except feedback nodes, whose scope is explicit; so one pass in node order
/// sees every producer's scope before its consumers'.
std::vector<std::size_t> node_scopes(const detail::graph_state& g) {
  const std::size_t n = g.nodes.size();
  std::vector<const detail::edge_spec*> first_input(n, nullptr);
  for (const auto& e : g.edges)
    if (e.to_port == 0 && first_input[e.to_node] == nullptr) first_input[e.to_node] = &e;
  std::vector<std::size_t> scope(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& spec = g.nodes[i];
    switch (spec.role) {
      case loop_role::enter:
      case loop_role::feedback:
        scope[i] = spec.loop;
        break;
      case loop_role::leave:
        scope[i] = 0;
        break;
      case loop_role::none:
        if (first_input[i] != nullptr && first_input[i]->from_node < i) scope[i] = scope[first_input[i]->from_node];
        break;
    }
  }
  return scope;
}

/// The scope a node's inputs must come from.
std::size_t input_scope(const detail::node_spec& spec, std::size_t own_scope) {
  switch (spec.role) {
    case loop_role::enter:
      return 0;
    case loop_role::leave:
    case loop_role::feedback:
      return spec.loop;
    case loop_role::none:
      break;
  }
  return own_scope;
}

/// True when `start` lies on a cycle of the node graph.
bool on_cycle(const std::vector<std::vector<std::size_t>>& succ, std::size_t start) {
  std::vector<bool> seen(succ.size(), false);
  std::vector<std::size_t> todo(succ[start].begin(), succ[start].end());
  while (!todo.empty()) {
    const std::size_t n = todo.back();
    todo.pop_back();
    if (n == start) return true;
    if (seen[n]) continue;
    seen[n] = true;
    todo.insert(todo.end(), succ[n].begin(), succ[n].end());
  }
  return false;
}

}  // namespace

void validate_loops(const detail::graph_state& g) {
  const std::string where = "graph '" + g.name + "': ";
  for (const auto& loop : g.loops)
    for (const auto& [node, connected] : loop.feedbacks)
      if (!connected)
        throw graph_error(where + "feedback '" + g.nodes[node].name + "' of loop '" + loop.name +
                          "' is never connected; call connect() with the stream to feed back");
  if (g.loops.empty()) return;
  // A larger step would carry a record into a later epoch, or wrap its time below the input's.
  for (const auto& spec : g.nodes)
    if (spec.role == loop_role::feedback && spec.feedback_step > loop_time::max_round)
      throw graph_error(where + "feedback '" + spec.name + "' of loop '" + g.loops[spec.loop - 1].name + "' advances " +
                        std::to_string(spec.feedback_step) + " rounds per lap, beyond the limit of " +
                        std::to_string(loop_time::max_round) + " rounds");

  const std::vector<std::size_t> scope = node_scopes(g);
  for (const auto& e : g.edges) {
    const auto& to = g.nodes[e.to_node];
    const std::size_t expected = input_scope(to, scope[e.to_node]);
    if (scope[e.from_node] == expected) continue;
    if (to.role == loop_role::enter)
      throw graph_error(where + "loop '" + g.loops[to.loop - 1].name + "' is entered by '" + to.name +
                        "' from a stream " + scope_name(g, scope[e.from_node]) + " ('" + g.nodes[e.from_node].name +
                        "'); loops do not nest: enter a loop from outside every loop");
    throw graph_error(where + "operator '" + to.name + "' (" + scope_name(g, expected) + ") consumes stream '" +
                      g.nodes[e.from_node].name + "' (" + scope_name(g, scope[e.from_node]) +
                      "); a stream crosses a loop boundary only through loop_scope::enter and loop_scope::leave");
  }

  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    if (g.nodes[i].reads_event_time && scope[i] != 0)
      throw graph_error(where + "operator '" + g.nodes[i].name + "' compares event times with batch times and cannot run " +
                        scope_name(g, scope[i]) + ", where batch times are packed (epoch, round); use it outside the loop");

  std::vector<std::vector<std::size_t>> succ(g.nodes.size());
  for (const auto& e : g.edges) succ[e.from_node].push_back(e.to_node);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto role = g.nodes[i].role;
    if ((role == loop_role::enter || role == loop_role::leave) && on_cycle(succ, i))
      throw graph_error(where + "a cycle passes through '" + g.nodes[i].name + "', the " +
                        (role == loop_role::enter ? "entry" : "exit") + " of loop '" + g.loops[g.nodes[i].loop - 1].name +
                        "'; feed records back only inside the loop, through its feedback");
  }
}

}  // namespace streamweave::internal
