#pragma once
/// \file
/// Iteration: loop scopes with feedback edges, and `iterate`.
///
/// A loop scope is a region of the graph whose records carry `(epoch, round)` times
/// (loop/loop_time.hpp). Streams cross its boundary only through two operators:
///  - `enter(s)`: records of an outside stream at epoch `e` continue inside at `(e, 0)`;
///  - `leave(s)`: records of an inside stream at `(e, r)` continue outside at epoch `e`.
/// A *feedback* closes a cycle: `feedback<T>()` returns a handle and the stream of what is fed
/// back; `handle.connect(s)` feeds an inside stream back, each record arriving one round later,
/// `(e, r) -> (e, r + step)`. The progress tracker sees the cycle and its round-advancing
/// summary, so inside the loop notifications and probes fire per round, and `leave`'s output
/// for epoch `e` completes exactly when no record of epoch `e` remains anywhere in the loop.
///
///     auto loop = g.loop("bfs");
///     auto [next, fed_back] = loop.feedback<std::uint32_t>();
///     auto frontier = loop.enter(starts).concat(fed_back);     // (e, r)
///     auto reached = frontier.unary<std::uint32_t>(...);         // dedupe per epoch
///     next.connect(reached.flat_map(neighbours));               // round r + 1
///     loop.leave(reached).collect();                            // back at epoch e
///
/// Validation (at `runtime::run`, `graph_error` naming the nodes): every feedback connected;
/// no stream crossing the boundary except through enter/leave; loops do not nest; no cycle
/// through enter or leave; a feedback with `step == 0` is a cycle that does not advance time
/// and is rejected, and so is one with `step > loop_time::max_round`.
///
/// Back-pressure: a feedback never blocks its producer (a bounded queue on a cycle could
/// deadlock), so what a loop holds in flight is bounded by the data it generates, not by
/// `runtime_options::queue_capacity`.
///
/// Thread safety: building is single-threaded, as for every graph call.
#include <streamweave/detail/loop_operators.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/error.hpp>
#include <streamweave/graph/graph.hpp>  // graph::loop is defined here
#include <streamweave/graph/stream.hpp>
#include <streamweave/loop/loop_time.hpp>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace streamweave {

/// Feeds a stream inside a loop back to the loop's feedback stream. Connect it exactly once.
template <class T>
class feedback_handle {
 public:
  /// Feeds `inside` (a stream of the same loop) back: its records reappear on the feedback
  /// stream `step` rounds later. Throws `graph_error` when called twice or with a stream of
  /// another graph; a stream of another scope is rejected at `runtime::run`.
  template <class S>
  void connect(const S& inside_in) const {
    const stream<T> inside = inside_in;  // a chain becomes its node
    auto& g = *graph_;
    auto& entry = g.loops[loop_ - 1].feedbacks[index_];
    const std::string& name = g.nodes[entry.first].name;
    if (inside.graph_id() != graph_.get())
      throw graph_error("feedback '" + name + "' cannot consume stream '" + inside.producer_name() + "' of another graph");
    if (g.started) throw graph_error("graph '" + g.name + "' is already running; cannot connect feedback '" + name + "'");
    if (entry.second) throw graph_error("feedback '" + name + "' is already connected");
    inside.connect_to(entry.first, 0);
    entry.second = true;
  }

 private:
  friend class loop_scope;
  feedback_handle(std::shared_ptr<detail::graph_state> g, std::size_t loop, std::size_t index)
      : graph_(std::move(g)), loop_(loop), index_(index) {}
  std::shared_ptr<detail::graph_state> graph_;
  std::size_t loop_;
  std::size_t index_;
};

/// A loop scope of a graph; see the file comment. Cheap to copy.
class loop_scope {
 public:
  /// A new loop scope of graph state `g` (`graph::loop` is the usual way to make one).
  loop_scope(std::shared_ptr<detail::graph_state> g, std::string name) : graph_(std::move(g)) {
    if (graph_->started) throw graph_error("graph '" + graph_->name + "' is already running; cannot add loop '" + name + "'");
    graph_->loops.push_back({std::move(name), {}});
    loop_ = graph_->loops.size();
  }

  /// A new loop scope in the graph that `s` belongs to.
  template <class T>
  static loop_scope in_graph_of(const stream<T>& s, std::string name) {
    return loop_scope(s.graph_, std::move(name));
  }

  const std::string& name() const { return graph_->loops[loop_ - 1].name; }

  /// `outside`'s records inside the loop, at `(epoch, 0)`.
  template <class S, class T = typename S::value_type>
  stream<T> enter(const S& outside_in, std::string name = {}) const {
    const stream<T> outside = outside_in;
    check_graph(outside, "enter");
    return add_boundary<T>(detail::loop_role::enter, name, "enter", outside.consumer_parallelism(), 1, &outside);
  }

  /// `inside`'s records outside the loop, at their epoch.
  template <class S, class T = typename S::value_type>
  stream<T> leave(const S& inside_in, std::string name = {}) const {
    const stream<T> inside = inside_in;
    check_graph(inside, "leave");
    return add_boundary<T>(detail::loop_role::leave, name, "leave", inside.consumer_parallelism(), 1, &inside);
  }

  /// A feedback edge of this loop: the handle to connect, and the stream of the fed-back
  /// records (with `parallelism` instances), each `step` rounds after it was fed.
  template <class T>
  std::pair<feedback_handle<T>, stream<T>> feedback(std::string name = {}, std::size_t parallelism = 1,
                                                     timestamp step = 1) const {
    stream<T> out = add_boundary<T>(detail::loop_role::feedback, name, "feedback", parallelism == 0 ? 1 : parallelism, step, nullptr);
    auto& feedbacks = graph_->loops[loop_ - 1].feedbacks;
    feedbacks.emplace_back(out.node_, false);
    return {feedback_handle<T>(graph_, loop_, feedbacks.size() - 1), std::move(out)};
  }

 private:
  template <class S>
  void check_graph(const S& s, const char* what) const {
    if (s.graph_id() != graph_.get())
      throw graph_error("loop '" + name() + "': " + what + " of stream '" + s.producer_name() + "' of another graph");
  }

  template <class T>
  stream<T> add_boundary(detail::loop_role role, std::string& name, const char* kind, std::size_t parallelism, timestamp step,
                         const stream<T>* input) const {
    if (graph_->started) throw graph_error("graph '" + graph_->name + "' is already running; cannot add to loop '" + this->name() + "'");
    detail::node_spec spec;
    spec.name = detail::graph_access::name_or_default(*graph_, name, kind);
    spec.inputs = 1;
    spec.outputs = 1;
    spec.parallelism = parallelism;
    spec.role = role;
    spec.loop = loop_;
    spec.feedback_step = step;
    spec.make_body = [role, step, loop = this->name()](const detail::instance_info&, std::vector<capability>) -> std::unique_ptr<detail::node_body> {
      return std::make_unique<detail::loop_boundary_body<T>>(role, step, loop);
    };
    const std::size_t id = detail::graph_access::add_node(*graph_, std::move(spec));
    if (input != nullptr) input->connect_to(id, 0);
    return detail::graph_access::make_stream<T>(graph_, id, 0, graph_->nodes[id].parallelism);
  }

  std::shared_ptr<detail::graph_state> graph_;
  std::size_t loop_ = 0;
};

/// Runs `body` in a new loop scope named `name`. The loop variable is `initial` (entered at
/// round 0) concatenated with what was fed back; `body(variable)` returns a pair: the stream
/// to feed back (its records become the variable one round later) and the stream that leaves
/// the loop (at its epoch). Returns the leaving stream, outside the loop.
///
///     auto labels = iterate(proposals, "components", [&](const stream<label>& v) {
///       auto improved = v.unary<label>("keep minimum", ...);
///       return std::pair{improved.flat_map(to_neighbours), improved};
///     });
template <class S, class Body, class T = typename S::value_type>
auto iterate(const S& initial_in, std::string name, Body body) {
  const stream<T> initial = initial_in;
  loop_scope loop = loop_scope::in_graph_of(initial, std::move(name));
  auto [next, fed_back] = loop.template feedback<T>(loop.name() + "/feedback", initial.consumer_parallelism());
  const stream<T> variable = loop.enter(initial, loop.name() + "/enter").concat(fed_back);
  auto [to_feed, to_leave] = body(variable);
  next.connect(to_feed);
  return loop.leave(to_leave, loop.name() + "/leave");
}

inline loop_scope graph::loop(std::string name) { return loop_scope(state_, std::move(name)); }

}  // namespace streamweave
