#pragma once
/// \file
/// `basic_chain<Origin, Out, Stages>`: consecutive stateless operators (`map`, `filter`,
/// `flat_map`, `inspect`) compiled into one loop per record, starting either at a stream
/// (`chain<In, Out, Stages>`) or at a source's generator.
///
/// `stream<T>::map(f)` (and `filter`, `flat_map`, `inspect`) and the graph's sources return a
/// chain rather than a stream. Calling another stateless operator on a *temporary* chain
/// (`s.map(f).filter(p).for_each(g)`) adds it to the same chain, and a `for_each` or `sink` on a
/// temporary chain ends it: the runtime then runs `f`, `p` and `g` per record in one loop, with
/// no intermediate batch. A chain that starts at a source runs the generator in that same loop.
/// Any other use turns the chain into a node (once; every copy of the chain shares that node)
/// and continues from its stream: storing it as a `stream<Out>`, using a
/// named chain variable (an lvalue) again, `exchange`, `key_by`, `concat`, `probe`, `collect`, `output`,
/// `unary`, `binary` and `start_new_chain`. So fan-out never runs an operator twice, and a
/// probe on a named chain sees every consumer of it.
///
/// Errors keep naming the operator whose code threw, even inside a fused loop. A chain that is
/// never consumed is reported by `runtime::run` as a dangling stream, with its last operator's
/// name. Thread safety: like the rest of graph building, single-threaded.
#include <streamweave/detail/basic_operators.hpp>
#include <streamweave/detail/local_copy.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/graph/stream.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace streamweave {

namespace detail {

/// Runs `g()`; an exception leaving it is re-thrown with the stage's name nested around it.
template <class G>
decltype(auto) guarded(const std::string& stage, G&& g) {
  try {
    return g();
  } catch (...) {
    std::throw_with_nested(stage_failure{stage});
  }
}

template <class F>
struct map_stage {
  F f;
  std::string name;
  template <class X, class Next>
  void operator()(timestamp t, const X& x, Next&& next) {
    next(t, guarded(name, [&]() -> decltype(auto) { return f(x); }));
  }
};

template <class F>
struct filter_stage {
  F f;
  std::string name;
  template <class X, class Next>
  void operator()(timestamp t, const X& x, Next&& next) {
    if (guarded(name, [&] { return static_cast<bool>(f(x)); })) next(t, x);
  }
};

template <class F>
struct flat_map_stage {
  F f;
  std::string name;
  template <class X, class Next>
  void operator()(timestamp t, const X& x, Next&& next) {
    auto range = guarded(name, [&] { return f(x); });
    for (auto&& y : range) next(t, y);
  }
};

template <class F>
struct inspect_stage {
  F f;
  std::string name;
  template <class X, class Next>
  void operator()(timestamp t, const X& x, Next&& next) {
    guarded(name, [&] { call_with_time(f, t, x); });
    next(t, x);
  }
};

/// Passes `x` through stages `I...` of `stages`, then to `emit(t, y)`.
template <std::size_t I, class Stages, class X, class Emit>
inline void run_stages(Stages& stages, timestamp t, const X& x, Emit& emit) {
  if constexpr (I == std::tuple_size_v<Stages>) {
    emit(t, x);
  } else {
    std::get<I>(stages)(t, x, [&](timestamp t2, const auto& y) { run_stages<I + 1>(stages, t2, y, emit); });
  }
}

/// Chain output into batches on output 0 (a chain that became a node).
template <class Out>
struct to_output {
  template <class Run>
  void run(activation& act, timestamp t, std::size_t limit, Run&& body) {
    owned_batch<Out> out(act.pool(0), t, limit);
    if constexpr (fill_by_index<Out>) {
      // Plain records: the batch is sized to `limit` up front (default-initialised, so no
      // zeroing) and written through a pointer, with no capacity check or possibly-throwing
      // call per record; it is trimmed to what was written before it leaves.
      out.get().records.resize(limit);
      Out* next = out.get().records.data();
      Out* end = next + limit;
      auto emit = [&](timestamp, const Out& y) {
        *next++ = y;
        if (next == end) [[unlikely]] {
          act.emit(0, out.release());
          out.acquire(act.pool(0), t, limit);
          out.get().records.resize(limit);
          next = out.get().records.data();
          end = next + limit;
        }
      };
      body(emit);
      const auto written = static_cast<std::size_t>(next - out.get().records.data());
      out.get().records.resize(written);
      if (written != 0) act.emit(0, out.release());
    } else {
      auto emit = [&](timestamp, const Out& y) {
        out.get().records.push_back(y);
        if (out.get().records.size() >= limit) {
          act.emit(0, out.release());
          out.acquire(act.pool(0), t, limit);
        }
      };
      body(emit);
      if (!out.get().records.empty()) act.emit(0, out.release());
    }
  }
};

/// Chain output into a callback sink, in the same loop.
/// A small functor runs on a local copy per batch (see with_local_copy), so a pointer it holds
/// stays in a register across the loop.
template <class F>
struct to_sink {
  std::optional<F> f;  // always engaged
  std::string name;
  template <class Run>
  void run(activation&, timestamp, std::size_t, Run&& body) {
    with_local_copy(f, [&](F& local) {
      auto emit = [&](timestamp t, const auto& y) { guarded(name, [&] { call_with_time(local, t, y); }); };
      body(emit);
    });
  }
};

/// A chain fed by an input stream: per input batch, every record through the stages.
template <class In, class Stages, class Terminal>
class chain_body final : public batch_operator {
 public:
  chain_body(Stages stages, Terminal terminal) : stages_(std::move(stages)), terminal_(std::move(terminal)) {}
  void on_batch(activation& act, std::size_t, const batch_base& in) override {
    const auto& src = static_cast<const batch<In>&>(in).records;
    terminal_.run(act, in.time, std::max(act.batch_size(), src.size()), [&](auto& emit) {
      for (const In& r : src) run_stages<0>(stages_, in.time, r, emit);
    });
  }

 private:
  Stages stages_;
  Terminal terminal_;
};

/// A chain fed by a generator (`std::optional<T>()`): records at the capability's time, a batch
/// worth per budget unit; the capability is dropped when the generator is exhausted.
template <class T, class G, class Stages, class Terminal>
class generator_chain_body final : public node_body {
 public:
  generator_chain_body(G g, capability cap, Stages stages, Terminal terminal, std::string source_name)
      : g_(std::in_place, std::move(g)), cap_(std::move(cap)), stages_(std::move(stages)),
        terminal_(std::move(terminal)), source_name_(std::move(source_name)) {}
  bool activate(activation& act) override {
    if (!cap_) return false;
    const std::size_t limit = act.batch_size();
    const timestamp t = cap_.time();
    while (!act.blocked() && act.take_budget()) {
      bool exhausted = false;
      with_local_copy(g_, [&](G& g) {
        terminal_.run(act, t, limit, [&](auto& emit) {
          for (std::size_t made = 0; made < limit; ++made) {
            std::optional<T> next = guarded(source_name_, [&] { return g(); });
            if (!next) {
              exhausted = true;
              return;
            }
            run_stages<0>(stages_, t, *next, emit);
          }
        });
      });
      if (exhausted) {
        cap_.reset();
        return false;
      }
    }
    return !act.blocked();
  }

 private:
  std::optional<G> g_;  // always engaged; run on a local copy per batch (with_local_copy)
  capability cap_;
  Stages stages_;
  Terminal terminal_;
  std::string source_name_;
};

/// Kept by the graph (so no stream, which would own the graph, is stored here).
template <class Out>
struct chain_cell_of final : chain_cell {
  std::optional<std::size_t> node;  // the chain's node, once it became one
};

/// A chain that starts at a stream.
template <class In>
struct stream_origin {
  stream<In> upstream;

  graph_state& graph() const { return *upstream.graph_; }
  const std::shared_ptr<graph_state>& graph_ptr() const { return upstream.graph_; }
  std::size_t parallelism() const { return upstream.consumer_parallelism(); }
  /// Adds the chain's node (`outputs` 0 or 1); `make_terminal(info)` builds an instance's terminal.
  template <class Stages, class MakeTerminal>
  std::size_t add_node(std::string name, std::size_t outputs, const Stages& stages, MakeTerminal make_terminal) const {
    node_spec spec;
    spec.name = std::move(name);
    spec.kind = outputs == 0 ? node_kind::sink : node_kind::operator_node;
    spec.inputs = 1;
    spec.outputs = outputs;
    spec.parallelism = parallelism();
    spec.fusable = true;
    spec.make_body = [stages, make_terminal](const instance_info& info, std::vector<capability>) -> std::unique_ptr<node_body> {
      auto terminal = make_terminal(info);
      return std::make_unique<chain_body<In, Stages, decltype(terminal)>>(stages, std::move(terminal));
    };
    const std::size_t id = graph_access::add_node(graph(), std::move(spec));
    upstream.connect_to(id, 0);
    return id;
  }
};

/// A chain that starts at a source: `make(index, instances)` gives each instance its generator.
template <class T, class Make>
struct generator_origin {
  std::shared_ptr<graph_state> state;
  std::string source_name;
  std::size_t instances = 1;
  Make make;

  graph_state& graph() const { return *state; }
  const std::shared_ptr<graph_state>& graph_ptr() const { return state; }
  std::size_t parallelism() const { return instances; }
  template <class Stages, class MakeTerminal>
  std::size_t add_node(std::string name, std::size_t outputs, const Stages& stages, MakeTerminal make_terminal) const {
    node_spec spec;
    spec.name = std::move(name);
    spec.kind = node_kind::source;
    // A source fused with its sink still needs an output: the capability that keeps the run
    // open until the generator is exhausted is counted there. Nothing consumes it.
    spec.outputs = 1;
    spec.capability_only_output = outputs == 0;
    spec.parallelism = instances;
    spec.initial_capability = true;
    spec.make_body = [stages, make_terminal, make = make, source = source_name](
                         const instance_info& info, std::vector<capability> caps) -> std::unique_ptr<node_body> {
      capability cap = std::move(caps.at(0));
      auto terminal = make_terminal(info);
      auto g = make(info.index, info.count);
      return std::make_unique<generator_chain_body<T, decltype(g), Stages, decltype(terminal)>>(
          std::move(g), std::move(cap), stages, std::move(terminal), source);
    };
    return graph_access::add_node(graph(), std::move(spec));
  }
};

}  // namespace detail

template <class Origin, class Out, class Stages>
class basic_chain {
 public:
  using value_type = Out;

  basic_chain(Origin origin, Stages stages, std::string last_name)
      : origin_(std::move(origin)), stages_(std::move(stages)), cell_(std::make_shared<detail::chain_cell_of<Out>>()) {
    if (origin_.graph().started)
      throw graph_error("graph '" + origin_.graph().name + "' is already running; cannot add '" + last_name + "'");
    cell_->name = std::move(last_name);
    origin_.graph().chains.push_back(cell_);
  }

  // ---- stateless operators: fused into a temporary chain, from the node of a named one ------
  template <class F, class U = std::decay_t<std::invoke_result_t<F&, const Out&>>>
  [[nodiscard]] auto map(F f, std::string name = {}) && {
    return extend<U>(detail::map_stage<F>{std::move(f), named(name, "map")});
  }
  template <class F>
  [[nodiscard]] auto map(F f, std::string name = {}) const& {
    return node().map(std::move(f), std::move(name));
  }
  template <class F>
  [[nodiscard]] auto filter(F f, std::string name = {}) && {
    return extend<Out>(detail::filter_stage<F>{std::move(f), named(name, "filter")});
  }
  template <class F>
  [[nodiscard]] auto filter(F f, std::string name = {}) const& {
    return node().filter(std::move(f), std::move(name));
  }
  template <class F, class R = std::invoke_result_t<F&, const Out&>,
            class U = std::decay_t<decltype(*std::begin(std::declval<R&>()))>>
  [[nodiscard]] auto flat_map(F f, std::string name = {}) && {
    return extend<U>(detail::flat_map_stage<F>{std::move(f), named(name, "flat_map")});
  }
  template <class F>
  [[nodiscard]] auto flat_map(F f, std::string name = {}) const& {
    return node().flat_map(std::move(f), std::move(name));
  }
  template <class F>
  [[nodiscard]] auto inspect(F f, std::string name = {}) && {
    return extend<Out>(detail::inspect_stage<F>{std::move(f), named(name, "inspect")});
  }
  template <class F>
  [[nodiscard]] auto inspect(F f, std::string name = {}) const& {
    return node().inspect(std::move(f), std::move(name));
  }

  // ---- callback sinks: end a temporary chain in the same loop ------------------------------
  /// Sink: calls `f(const Out&)` or `f(timestamp, const Out&)` for every record.
  template <class F>
  void for_each(F f, std::string name = {}) && {
    if (cell_->node) return node().for_each(std::move(f), std::move(name));
    std::string sink_name = named(name, "for_each");
    origin_.add_node(sink_name, 0, stages_, [f, sink_name](const detail::instance_info&) {
      return detail::to_sink<F>{f, sink_name};
    });
    cell_->consumed = true;
  }
  template <class F>
  void for_each(F f, std::string name = {}) const& {
    node().for_each(std::move(f), std::move(name));
  }
  /// Sink with per-instance state; see `stream<T>::sink`.
  template <class Builder>
  void sink(std::string name, Builder builder) && {
    if (cell_->node) return node().sink(std::move(name), std::move(builder));
    std::string sink_name = named(name, "sink");
    origin_.add_node(sink_name, 0, stages_, [builder, sink_name](const detail::instance_info& info) {
      operator_setup setup(info, {});
      auto f = builder(setup);
      return detail::to_sink<decltype(f)>{std::move(f), sink_name};
    });
    cell_->consumed = true;
  }
  template <class Builder>
  void sink(std::string name, Builder builder) const& {
    node().sink(std::move(name), std::move(builder));
  }

  // ---- everything else continues from the chain's node -------------------------------------
  /// The chain as a node of the graph (created on first use, shared by every copy).
  stream<Out> node() const {
    if (!cell_->node) {
      cell_->node = origin_.add_node(cell_->name, 1, stages_, [](const detail::instance_info&) {
        return detail::to_output<Out>{};
      });
      cell_->consumed = true;
    }
    return detail::graph_access::make_stream<Out>(origin_.graph_ptr(), *cell_->node, 0,
                                                 origin_.graph().nodes[*cell_->node].parallelism);
  }
  operator stream<Out>() const { return node(); }  // NOLINT: a chain is used as a stream
  /// Ends the chain here: the next operator runs as its own node and unit and reads this
  /// chain's batches from an edge queue (see `stream<T>::start_new_chain`).
  [[nodiscard]] stream<Out> start_new_chain() const { return node().start_new_chain(); }

  template <class Key>
  stream<Out> exchange(Key key, std::size_t n = 0) const {
    return node().exchange(std::move(key), n);
  }
  /// Partitions by key into `n` instances (`stream<T>::key_by`, keyed/keyed_stream.hpp); ends
  /// the chain here.
  template <class Key>
  keyed_stream<Out, Key> key_by(Key key, std::size_t n = 0) const {
    return node().key_by(std::move(key), n);
  }
  template <class... Streams>
  stream<Out> concat(const Streams&... others) const {
    return node().concat(others...);
  }
  collection<Out> collect(std::string name = {}) const { return node().collect(std::move(name)); }
  output_handle<Out> output(std::size_t capacity = 65536, std::string name = {}) const {
    return node().output(capacity, std::move(name));
  }
  streamweave::probe probe() const { return node().probe(); }
  template <class U, class Builder>
  stream<U> unary(std::string name, Builder builder) const {
    return node().template unary<U>(std::move(name), std::move(builder));
  }
  template <class U, class Other, class Builder>
  stream<U> binary(const Other& other, std::string name, Builder builder) const {
    return node().template binary<U>(other, std::move(name), std::move(builder));
  }
  const std::string& producer_name() const { return cell_->name; }
  std::size_t consumer_parallelism() const { return origin_.parallelism(); }
  const detail::graph_state* graph_id() const noexcept { return origin_.graph_ptr().get(); }

 private:
  template <class, class, class>
  friend class basic_chain;

  std::string named(std::string& name, const char* kind) const {
    return detail::graph_access::name_or_default(origin_.graph(), name, kind);
  }

  /// A new chain with `stage` appended. The stages are copied, not moved: a chain used again
  /// after `std::move` still works (its operators then run once more in each consumer).
  template <class U, class Stage>
  auto extend(Stage stage) {
    cell_->consumed = true;
    std::string last = stage.name;
    auto stages = std::tuple_cat(stages_, std::make_tuple(std::move(stage)));
    return basic_chain<Origin, U, decltype(stages)>(origin_, std::move(stages), std::move(last));
  }

  Origin origin_;
  Stages stages_;
  std::shared_ptr<detail::chain_cell_of<Out>> cell_;
};

/// A chain that starts at a stream of `In`.
template <class In, class Out, class Stages>
using chain = basic_chain<detail::stream_origin<In>, Out, Stages>;

/// A source: a chain with no stages yet, starting at generators.
template <class T, class Make>
using source_chain = basic_chain<detail::generator_origin<T, Make>, T, std::tuple<>>;

}  // namespace streamweave

namespace streamweave {

template <class T>
template <class F, class U>
basic_chain<detail::stream_origin<T>, U, std::tuple<detail::map_stage<F>>> stream<T>::map(F f, std::string name) const {
  std::string n = detail::graph_access::name_or_default(*graph_, name, "map");
  return {detail::stream_origin<T>{*this}, std::make_tuple(detail::map_stage<F>{std::move(f), n}), n};
}

template <class T>
template <class F>
basic_chain<detail::stream_origin<T>, T, std::tuple<detail::filter_stage<F>>> stream<T>::filter(F f, std::string name) const {
  std::string n = detail::graph_access::name_or_default(*graph_, name, "filter");
  return {detail::stream_origin<T>{*this}, std::make_tuple(detail::filter_stage<F>{std::move(f), n}), n};
}

template <class T>
template <class F, class R, class U>
basic_chain<detail::stream_origin<T>, U, std::tuple<detail::flat_map_stage<F>>> stream<T>::flat_map(F f, std::string name) const {
  std::string n = detail::graph_access::name_or_default(*graph_, name, "flat_map");
  return {detail::stream_origin<T>{*this}, std::make_tuple(detail::flat_map_stage<F>{std::move(f), n}), n};
}

template <class T>
template <class F>
basic_chain<detail::stream_origin<T>, T, std::tuple<detail::inspect_stage<F>>> stream<T>::inspect(F f, std::string name) const {
  std::string n = detail::graph_access::name_or_default(*graph_, name, "inspect");
  return {detail::stream_origin<T>{*this}, std::make_tuple(detail::inspect_stage<F>{std::move(f), n}), n};
}

}  // namespace streamweave
