#pragma once
/// \file
/// Wiring: turns a graph description (`detail::graph_state`) into the parts of one run. It
/// checks the graph (dangling streams, loop structure, zero-advance cycles), builds the
/// progress tracker and its hub, decides which edges are fused, and makes the operator
/// instances, edge queues, scheduling units, input bindings, output edges, operator bodies and
/// probe watches.
///
/// Thread safety: single-threaded, before anything of the run exists outside it.
#include <streamweave/detail/input_state.hpp>
#include <streamweave/detail/node.hpp>

#include "progress/progress_hub.hpp"
#include "queue/edge_queue.hpp"
#include "runtime/runtime_config.hpp"
#include "scheduler/unit.hpp"

#include <cstddef>
#include <limits>
#include <memory>
#include <vector>

namespace streamweave::internal {

class execution_state;

/// The parts of one run. Destroying it (or `release`) frees them in an order where every
/// capability and batch that an operator body releases still finds its unit's buffer and its
/// pool: pending pushes and queues first, then the bodies, then the units and instances.
struct wired_graph {
  static constexpr std::size_t no_queue = std::numeric_limits<std::size_t>::max();

  std::unique_ptr<progress_hub> progress;
  std::vector<std::unique_ptr<edge_queue>> queues;
  /// queue_index[node][instance][port]: index into `queues`, or `no_queue` for a fused input.
  std::vector<std::vector<std::vector<std::size_t>>> queue_index;
  std::vector<std::vector<std::unique_ptr<instance_runtime>>> instances;  // [node][instance]
  std::vector<std::unique_ptr<unit>> units;  // progress slots 0..units.size()-1
  std::vector<std::unique_ptr<input_binding>> inputs;  // the following slots, in node order
  std::vector<std::shared_ptr<detail::input_state>> input_states;  // parallel to `inputs`

  wired_graph() = default;
  wired_graph(const wired_graph&) = delete;
  wired_graph& operator=(const wired_graph&) = delete;
  ~wired_graph() { release(); }

  /// Frees pending batches, queues and operator bodies (see above). Idempotent.
  void release() noexcept;
};

/// Wires `graph` into `out` (empty) for a run of `exec` that reports progress to `listener`.
/// Throws `graph_error` for a graph that cannot run, naming the node, and `operator_error`
/// naming the node when a user's builder or source factory throws. On a throw, `out` holds what
/// was built so far; destroying it is safe.
void wire(wired_graph& out, const detail::graph_state& graph, const runtime_config& config, execution_state& exec,
          progress_listener& listener);

}  // namespace streamweave::internal
