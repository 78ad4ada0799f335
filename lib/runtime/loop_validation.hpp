#pragma once
// Graph validation for loop scopes, run by `runtime::run` before the tracker is built.
#include <streamweave/detail/node.hpp>

namespace streamweave::internal {

/// Throws `graph_error` naming the nodes involved when:
///  - a loop's feedback was never connected;
///  - a stream crosses a loop boundary other than through `enter` (into a loop) or `leave`
///    (out of it), including a loop entered from inside another loop (loops do not nest);
///  - an event-time operator (`node_spec::reads_event_time`) runs inside a loop;
///  - a cycle passes through a loop's enter or leave node (a cycle must stay inside one loop
///    and pass through a feedback node, whose summary advances the round).
void validate_loops(const detail::graph_state& g);

}  // namespace streamweave::internal
