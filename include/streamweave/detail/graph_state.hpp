#pragma once
/// \file
/// What a graph builder records (`graph_state`: node specs, edges, probes, chains, loops) and
/// what the runtime needs to make each operator instance (`instance_info`). Written by the
/// public graph API, read by lib/runtime/wiring.cpp. Users never include this directly.
#include <streamweave/detail/activation.hpp>
#include <streamweave/detail/partition.hpp>
#include <streamweave/detail/progress_buffer.hpp>
#include <streamweave/progress/capability.hpp>
#include <streamweave/progress/location.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace streamweave::detail {

/// Which frontier changes wake an operator.
enum class frontier_interest { never, always };

enum class node_kind { source, input, operator_node, sink };

/// What a node does at a loop boundary (loop/loop_scope.hpp). Only these nodes change a
/// batch's time, and the runtime gives the tracker the matching path summary.
enum class loop_role {
  none,      // an ordinary node: output times >= input times (identity summary)
  enter,     // outer epoch e -> loop time (e, 0); lives in the loop
  leave,     // loop time (e, r) -> outer epoch e; lives outside the loop
  feedback,  // (e, r) -> (e, r + feedback_step); lives in the loop, buffers without bound
};

struct instance_info {
  std::size_t index = 0;
  std::size_t count = 1;
  std::size_t batch_size = 1024;
  progress_buffer* progress = nullptr;
  std::vector<progress::location_id> output_locations;
  const std::string* name = nullptr;
};

/// Shared state of an input handle; implemented in lib/runtime/input_state.cpp.
class input_state;
/// Shared state of a probe; implemented in lib/runtime/probe_state.cpp.
class probe_state;

struct node_spec {
  std::string name;
  node_kind kind = node_kind::operator_node;
  std::size_t inputs = 0;
  std::size_t outputs = 0;
  std::size_t parallelism = 1;
  /// Stateless per-batch operator (map, filter, ...): may run inside its producer's activation.
  bool fusable = false;
  frontier_interest interest = frontier_interest::never;
  /// Each instance gets one capability at time 0 per output before the run starts.
  bool initial_capability = false;
  /// The output only holds the node's capability (a source fused with its sink): no stream
  /// leaves it, so it is not a dangling stream.
  bool capability_only_output = false;
  /// Loop boundary role, the loop it belongs to (1-based index into graph_state::loops; 0 for
  /// the enter/leave/feedback-free outer scope) and, for feedback nodes, the rounds per lap.
  loop_role role = loop_role::none;
  std::size_t loop = 0;
  timestamp feedback_step = 1;
  /// Compares records' event times with batch times (event-time windows, interval joins):
  /// meaningless inside a loop, where batch times are packed (epoch, round), so rejected there.
  bool reads_event_time = false;
  /// Creates instance `info.index`; `initial` holds its initial capabilities (if requested).
  std::function<std::unique_ptr<node_body>(const instance_info& info, std::vector<capability> initial)> make_body;
  std::shared_ptr<input_state> input;  // kind == input
};

struct edge_spec {
  std::size_t from_node = 0;
  std::size_t from_port = 0;
  std::size_t to_node = 0;
  std::size_t to_port = 0;
  std::shared_ptr<const partition> exchange;  // nullptr: pipeline / merge
  bool new_chain = false;                     // never fused into the producer (start_new_chain)
};

struct probe_spec {
  std::size_t node = 0;
  std::size_t port = 0;
  std::shared_ptr<probe_state> state;
};

/// A chain of stateless operators not yet turned into a node (see graph/chain.hpp). The graph
/// keeps one per chain so that `runtime::run` can reject a chain nobody consumed.
struct chain_cell {
  std::string name;       // the last operator's name
  bool consumed = false;  // extended, terminated by a sink, or materialised into a node
  virtual ~chain_cell() = default;
};

/// Thrown (nested around the user's exception) by a fused operator stage, so that the error
/// names the operator whose code threw, not the node the stages were fused into.
struct stage_failure {
  explicit stage_failure(std::string name) : stage(std::move(name)) {}
  virtual ~stage_failure() = default;
  std::string stage;
};

/// A loop scope of a graph (loop/loop_scope.hpp).
struct loop_spec {
  std::string name;
  /// Feedback nodes of the loop and whether each was connected (`feedback_handle::connect`).
  std::vector<std::pair<std::size_t, bool>> feedbacks;
};

/// Everything a graph builder recorded. Thread safety: building is single-threaded; after
/// `started` is set the state is read-only. `started` is atomic so that `runtime::run` calls
/// racing on one graph from several threads see exactly one of them win.
struct graph_state {
  std::string name;
  std::vector<node_spec> nodes;
  std::vector<edge_spec> edges;
  std::vector<probe_spec> probes;
  std::vector<std::shared_ptr<chain_cell>> chains;
  std::vector<loop_spec> loops;
  std::size_t names_given = 0;  // for default operator names
  std::atomic<bool> started{false};
};

}  // namespace streamweave::detail
