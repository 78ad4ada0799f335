#pragma once
/// \file
/// `graph`: builds an in-process dataflow graph of typed streams. Sources (`input`,
/// `source`, `source_from`) start streams; operators on `stream<T>` extend them; sinks and
/// probes end them. `runtime::run(graph)` validates and starts it.
///
/// Validation (at `runtime::run`): every stream must be consumed (by an operator, a sink or a
/// probe); streams of another graph are rejected when they are connected; the tracker rejects
/// any cycle whose path summaries do not advance time. Errors name the nodes involved.
///
/// Thread safety: build a graph from one thread. After `run`, the graph is frozen and every
/// builder call throws `graph_error`.
#include <streamweave/detail/basic_operators.hpp>
#include <streamweave/detail/input_state.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/graph/input_handle.hpp>
#include <streamweave/graph/chain.hpp>
#include <streamweave/graph/stream.hpp>

#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace streamweave {

class loop_scope;  // loop/loop_scope.hpp

class graph {
 public:
  explicit graph(std::string name = "graph") : state_(std::make_shared<detail::graph_state>()) {
    state_->name = std::move(name);
  }

  /// A new loop scope named `name`: enter, feedback, leave. Defined in loop/loop_scope.hpp,
  /// which this header does not include (the graph layer does not depend on the loop layer):
  /// include it, or the umbrella header streamweave/streamweave.hpp.
  loop_scope loop(std::string name);

  /// An input fed by outside threads, and the stream of what they send.
  template <class T>
  std::pair<input_handle<T>, stream<T>> input(std::string name) {
    detail::node_spec spec;
    spec.name = detail::graph_access::name_or_default(*state_, name, "input");
    spec.kind = detail::node_kind::input;
    spec.outputs = 1;
    spec.input = std::make_shared<detail::input_state>(spec.name);
    auto st = spec.input;
    const std::size_t id = detail::graph_access::add_node(*state_, std::move(spec));
    return {input_handle<T>(st), detail::graph_access::make_stream<T>(state_, id, 0, 1)};
  }

  /// A source calling `generator()` (returning `std::optional<T>`) until it returns nullopt.
  /// Every record has time 0. Returns a chain (graph/chain.hpp): stateless operators and a
  /// callback sink written after it in one expression run in the generator's loop.
  template <class G, class T = typename std::decay_t<std::invoke_result_t<G&>>::value_type>
  [[nodiscard]] auto source(std::string name, G generator) {
    return partitioned_source(std::move(name), 1, [generator](std::size_t, std::size_t) { return generator; });
  }

  /// A source with `instances` parallel instances, e.g. one per partition of an external
  /// source or one per slice of a range. `make_generator(index, instances)` is called once per
  /// instance (before the run) and returns that instance's generator (`std::optional<T>()`,
  /// nullopt when exhausted). Every record has time 0. Operators attached to it run with the
  /// same parallelism, instance `i` fed by source instance `i`. Returns a chain, as `source`.
  /// A small generator with trivial copy and destruction (a few counters) runs on a copy for
  /// the length of a batch that is then copied back, so it must not hold pointers into itself.
  template <class Make, class G = std::invoke_result_t<Make&, std::size_t, std::size_t>,
            class T = typename std::decay_t<std::invoke_result_t<G&>>::value_type>
  [[nodiscard]] source_chain<T, Make> partitioned_source(std::string name, std::size_t instances, Make make_generator) {
    name = detail::graph_access::name_or_default(*state_, name, "source");
    detail::graph_access::check_parallelism(instances, "partitioned_source '" + name + "'");
    detail::generator_origin<T, Make> origin{state_, name, instances, std::move(make_generator)};
    return source_chain<T, Make>(std::move(origin), std::tuple<>{}, name);
  }

  /// A source emitting the elements of `range` (copied into the graph), all at time 0.
  template <class Range, class T = std::decay_t<decltype(*std::begin(std::declval<Range&>()))>>
  [[nodiscard]] auto source_from(std::string name, Range range) {
    auto data = std::make_shared<std::vector<T>>(std::begin(range), std::end(range));
    return source(std::move(name), [data, i = std::size_t{0}]() mutable -> std::optional<T> {
      if (i == data->size()) return std::nullopt;
      return (*data)[i++];
    });
  }

  const std::string& name() const noexcept { return state_->name; }
  std::size_t node_count() const noexcept { return state_->nodes.size(); }
  bool started() const noexcept { return state_->started; }

 private:
  friend class detail::graph_access;  // the runtime and out-of-header sources reach state_ through it
  std::shared_ptr<detail::graph_state> state_;
};

}  // namespace streamweave
