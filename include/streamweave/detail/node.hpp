#pragma once
/// \file
/// The bridge between typed operator bodies (templates in public headers) and the untyped
/// runtime in lib/. Users never include this directly.
///
/// An operator *instance* is a `node_body`. The runtime calls `activate` from one TBB task at a
/// time per instance (never concurrently with itself), so a body's state needs no locks. Inside
/// an activation the body talks to the runtime through `activation`.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/progress_buffer.hpp>
#include <streamweave/progress/capability.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace streamweave::internal {
class instance_runtime;
}

namespace streamweave::detail {

/// Frontier value meaning "empty frontier": nothing will ever arrive.
inline constexpr timestamp empty_frontier = std::numeric_limits<timestamp>::max();

class node_body;

/// What one operator instance may do during an activation. Valid only inside `activate` or
/// `on_batch` of the body it was passed to. Thread safety: single thread (the activation's).
class activation {
 public:
  explicit activation(internal::instance_runtime& inst) noexcept : inst_(&inst) {}

  /// Pops up to the activation budget of batches from every input and hands each to
  /// `body.on_batch`, counting them consumed. Stops early while outputs are back-pressured.
  /// Returns true when input remains that could be processed now.
  bool process_inputs(node_body& body);

  /// Pops the next batch of input `port`, or nullptr when it is empty, the budget is spent or
  /// outputs are back-pressured (never, for a loop feedback's unit, which is unthrottled). The batch is counted consumed and stays valid until the next
  /// `pop` or the end of the activation.
  const batch_base* pop(std::size_t port);
  /// True when some input still has queued batches.
  bool has_input() const;

  /// The current frontier of input `port`: the earliest time that may still arrive there, or
  /// `empty_frontier`. Read once at the start of the activation.
  timestamp input_frontier(std::size_t port) const;

  /// Sends `b` (one reference, transferred) on output `port` to every consumer, counting it.
  void emit(std::size_t port, batch_base* b);
  batch_pool& pool(std::size_t port);
  /// True when some output holds batches its full queues did not accept yet: produce no more.
  /// Also true for a loop feedback unit, which still takes input meanwhile (its input-taking
  /// follows `unit::may_take`, lib/scheduler/unit.hpp, the one back-pressure rule).
  bool blocked() const;

  std::size_t batch_size() const noexcept;
  /// Takes one unit of the activation budget (for operators that produce without input, such
  /// as sources); false when the budget is spent and the operator should yield.
  bool take_budget() noexcept;
  /// True when this activation's budget is used up (input left now is for the next one).
  bool budget_spent() const noexcept;
  /// True when every input frontier (as read at the start of the activation) has passed `t`.
  bool all_inputs_passed(timestamp t) const noexcept;
  progress_buffer& progress() noexcept;
  /// The tracker location of output `port` (where capabilities for it are counted).
  progress::location_id output_location(std::size_t port) const;
  const std::string& node_name() const noexcept;
  std::size_t instance_index() const noexcept;
  std::size_t instance_count() const noexcept;
  /// Schedules this instance again later (e.g. when an outside thread freed space).
  std::function<void()> waker() const;
  /// Schedules this instance at or soon after the wall-clock time `when`, from the execution's
  /// timer thread (lib/scheduler/timer_service.hpp, started on first use). Wake-ups still pending
  /// when the execution is destroyed are dropped.
  void wake_at(std::chrono::steady_clock::time_point when);

 private:
  internal::instance_runtime* inst_;
};

class node_body {
 public:
  virtual ~node_body() = default;
  /// Runs one activation. Returns true when more work could be done right now (the runtime
  /// reschedules the instance after letting others run).
  virtual bool activate(activation& act) = 0;
  /// Receives one batch on input `port`, from `activation::process_inputs` or from a fused
  /// upstream operator. The batch is read-only and must not be retained.
  virtual void on_batch(activation& act, std::size_t port, const batch_base& b) {
    (void)act;
    (void)port;
    (void)b;
  }
  /// Called once when the run stops early (failure or cancel), from whichever thread stops it,
  /// possibly while an activation of this body runs: must be thread-safe and must not throw.
  /// Sinks that outside threads wait on use it to release them.
  virtual void on_run_stopped() noexcept {}
};

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

/// Routes the records of one batch to the instances of a partitioned consumer.
class router {
 public:
  virtual ~router() = default;
  /// Splits `in` into per-destination batches taken from `pool`; `out[d]` is nullptr where
  /// destination `d` receives nothing. `out.size()` is the number of destinations.
  /// Thread safety: every producing instance's edge owns its router, and only that instance's
  /// activation calls `route`, never concurrently; a router may keep scratch state.
  virtual void route(const batch_base& in, batch_pool& pool, std::size_t batch_size, std::vector<batch_base*>& out) = 0;
};

/// A keyed exchange attached to a stream: consumers get `instances()` parallel instances.
class partition {
 public:
  virtual ~partition() = default;
  virtual std::size_t instances() const noexcept = 0;
  virtual std::unique_ptr<router> make_router() const = 0;
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
