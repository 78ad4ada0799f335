#pragma once
/// \file
/// `chain<In, Out, Stages>`: consecutive stateless operators (`map`, `filter`, `flat_map`,
/// `inspect`) compiled into one loop over each batch.
///
/// `stream<T>::map(f)` (and `filter`, `flat_map`, `inspect`) return a chain rather than a new
/// stream. Calling another stateless operator on a *temporary* chain
/// (`s.map(f).filter(p).for_each(g)`) adds it to the same chain, and a `for_each` or `sink` on a
/// temporary chain ends it: the runtime then runs `f`, `p` and `g` per record in one loop, with
/// no intermediate batch. Any other use turns the chain into a node (once; every copy of the
/// chain shares that node) and continues from its stream: storing it as a `stream<Out>`, using a
/// named chain variable (an lvalue) again, `exchange`, `concat`, `probe`, `collect`, `output`,
/// `unary` and `binary`. So fan-out never runs an operator twice, and a probe on a named chain
/// sees every consumer of it.
///
/// Errors keep naming the operator whose code threw, even inside a fused loop. A chain that is
/// never consumed is reported by `runtime::run` as a dangling stream, with its last operator's
/// name. Thread safety: like the rest of graph building, single-threaded.
#include <streamweave/detail/basic_operators.hpp>
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
    guarded(name, [&] {
      if constexpr (std::is_invocable_v<F&, timestamp, const X&>) {
        f(t, x);
      } else {
        f(x);
      }
    });
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

/// A chain turned into a node with an output: runs the stages per record into output batches.
template <class In, class Out, class Stages>
class chain_body final : public batch_operator {
 public:
  explicit chain_body(Stages stages) : stages_(std::move(stages)) {}
  void on_batch(activation& act, std::size_t, const batch_base& in) override {
    const auto& src = static_cast<const batch<In>&>(in).records;
    const std::size_t limit = std::max(act.batch_size(), src.size());
    owned_batch<Out> out(act.pool(0), in.time, limit);
    auto emit = [&](timestamp, const Out& y) {
      out.get().records.push_back(y);
      if (out.get().records.size() >= limit) {
        act.emit(0, out.release());
        out.acquire(act.pool(0), in.time, limit);
      }
    };
    for (const In& r : src) run_stages<0>(stages_, in.time, r, emit);
    if (!out.get().records.empty()) act.emit(0, out.release());
  }

 private:
  Stages stages_;
};

/// A chain ended by a callback sink: the stages and the sink in one loop, no output batch.
template <class In, class Stages, class F>
class chain_sink_body final : public batch_operator {
 public:
  chain_sink_body(Stages stages, F f, std::string sink_name)
      : stages_(std::move(stages)), f_(std::move(f)), sink_name_(std::move(sink_name)) {}
  void on_batch(activation&, std::size_t, const batch_base& in) override {
    auto emit = [&](timestamp t, const auto& y) {
      guarded(sink_name_, [&] {
        if constexpr (std::is_invocable_v<F&, timestamp, decltype(y)>) {
          f_(t, y);
        } else {
          f_(y);
        }
      });
    };
    for (const In& r : static_cast<const batch<In>&>(in).records) run_stages<0>(stages_, in.time, r, emit);
  }

 private:
  Stages stages_;
  F f_;
  std::string sink_name_;
};

template <class Out>
struct chain_cell_of final : chain_cell {
  std::optional<stream<Out>> node;  // set once the chain became a node
};

}  // namespace detail

template <class In, class Out, class Stages>
class chain {
 public:
  using value_type = Out;

  chain(stream<In> upstream, Stages stages, std::string last_name)
      : upstream_(std::move(upstream)), stages_(std::move(stages)), cell_(std::make_shared<detail::chain_cell_of<Out>>()) {
    upstream_.check_not_started("'" + last_name + "'");
    cell_->name = std::move(last_name);
    upstream_.graph_->chains.push_back(cell_);
  }

  // ---- stateless operators: fused into a temporary chain, from the node of a named one ------
  template <class F, class U = std::decay_t<std::invoke_result_t<F&, const Out&>>>
  [[nodiscard]] auto map(F f, std::string name = {}) && {
    return extend<U>(detail::map_stage<F>{std::move(f), named(name, "map")});
  }
  template <class F>
  [[nodiscard]] auto map(F f, std::string name = {}) & {
    return node().map(std::move(f), std::move(name));
  }
  template <class F>
  [[nodiscard]] auto filter(F f, std::string name = {}) && {
    return extend<Out>(detail::filter_stage<F>{std::move(f), named(name, "filter")});
  }
  template <class F>
  [[nodiscard]] auto filter(F f, std::string name = {}) & {
    return node().filter(std::move(f), std::move(name));
  }
  template <class F, class R = std::invoke_result_t<F&, const Out&>,
            class U = std::decay_t<decltype(*std::begin(std::declval<R&>()))>>
  [[nodiscard]] auto flat_map(F f, std::string name = {}) && {
    return extend<U>(detail::flat_map_stage<F>{std::move(f), named(name, "flat_map")});
  }
  template <class F>
  [[nodiscard]] auto flat_map(F f, std::string name = {}) & {
    return node().flat_map(std::move(f), std::move(name));
  }
  template <class F>
  [[nodiscard]] auto inspect(F f, std::string name = {}) && {
    return extend<Out>(detail::inspect_stage<F>{std::move(f), named(name, "inspect")});
  }
  template <class F>
  [[nodiscard]] auto inspect(F f, std::string name = {}) & {
    return node().inspect(std::move(f), std::move(name));
  }

  // ---- callback sinks: end a temporary chain in the same loop ------------------------------
  template <class F>
  void for_each(F f, std::string name = {}) && {
    if (cell_->node) return cell_->node->for_each(std::move(f), std::move(name));
    std::string sink_name = named(name, "for_each");
    add_terminal(sink_name, [stages = stages_, f, sink_name](const detail::instance_info&) {
      return std::make_unique<detail::chain_sink_body<In, Stages, F>>(stages, f, sink_name);
    });
  }
  template <class F>
  void for_each(F f, std::string name = {}) & {
    node().for_each(std::move(f), std::move(name));
  }
  template <class Builder>
  void sink(std::string name, Builder builder) && {
    if (cell_->node) return cell_->node->sink(std::move(name), std::move(builder));
    std::string sink_name = named(name, "sink");
    add_terminal(sink_name, [stages = stages_, builder, sink_name](const detail::instance_info& info) {
      operator_setup setup(info, {});
      auto f = builder(setup);
      return std::make_unique<detail::chain_sink_body<In, Stages, decltype(f)>>(stages, std::move(f), sink_name);
    });
  }
  template <class Builder>
  void sink(std::string name, Builder builder) & {
    node().sink(std::move(name), std::move(builder));
  }

  // ---- everything else continues from the chain's node -------------------------------------
  /// The chain as a node of the graph (created on first use, shared by every copy).
  stream<Out> node() const {
    if (!cell_->node) {
      detail::node_spec spec;
      spec.name = cell_->name;
      spec.inputs = 1;
      spec.outputs = 1;
      spec.parallelism = upstream_.consumer_parallelism();
      spec.fusable = true;
      spec.make_body = [stages = stages_](const detail::instance_info&, std::vector<capability>) -> std::unique_ptr<detail::node_body> {
        return std::make_unique<detail::chain_body<In, Out, Stages>>(stages);
      };
      const std::size_t id = detail::graph_access::add_node(*upstream_.graph_, std::move(spec));
      upstream_.connect_to(id, 0);
      cell_->node.emplace(upstream_.graph_, id, 0, upstream_.graph_->nodes[id].parallelism);
      cell_->consumed = true;
    }
    return *cell_->node;
  }
  operator stream<Out>() const { return node(); }  // NOLINT: a chain is used as a stream

  template <class Key>
  stream<Out> exchange(Key key, std::size_t n = 0) const {
    return node().exchange(std::move(key), n);
  }
  template <class... Streams>
  stream<Out> concat(const Streams&... others) const {
    return node().concat(static_cast<stream<Out>>(others)...);
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
  template <class U, class T2, class Builder>
  stream<U> binary(const stream<T2>& other, std::string name, Builder builder) const {
    return node().template binary<U>(other, std::move(name), std::move(builder));
  }
  const std::string& producer_name() const { return cell_->name; }
  std::size_t consumer_parallelism() const noexcept { return upstream_.consumer_parallelism(); }
  const detail::graph_state* graph_id() const noexcept { return upstream_.graph_id(); }

 private:
  template <class, class, class>
  friend class chain;

  std::string named(std::string& name, const char* kind) const {
    return name.empty() ? detail::graph_access::default_name(*upstream_.graph_, kind) : std::move(name);
  }

  /// A new chain with `stage` appended. The stages are copied, not moved: a chain used again
  /// after `std::move` still works (its operators then run once more in each consumer).
  template <class U, class Stage>
  auto extend(Stage stage) {
    cell_->consumed = true;
    std::string last = stage.name;
    auto stages = std::tuple_cat(stages_, std::make_tuple(std::move(stage)));
    return chain<In, U, decltype(stages)>(upstream_, std::move(stages), std::move(last));
  }

  template <class Make>
  void add_terminal(const std::string& sink_name, Make make) {
    detail::node_spec spec;
    spec.name = sink_name;
    spec.kind = detail::node_kind::sink;
    spec.inputs = 1;
    spec.outputs = 0;
    spec.parallelism = upstream_.consumer_parallelism();
    spec.fusable = true;
    spec.make_body = [make](const detail::instance_info& info, std::vector<capability>) -> std::unique_ptr<detail::node_body> {
      return make(info);
    };
    const std::size_t id = detail::graph_access::add_node(*upstream_.graph_, std::move(spec));
    upstream_.connect_to(id, 0);
    cell_->consumed = true;
  }

  stream<In> upstream_;
  Stages stages_;
  std::shared_ptr<detail::chain_cell_of<Out>> cell_;
};

}  // namespace streamweave

namespace streamweave {

template <class T>
template <class F, class U>
chain<T, U, std::tuple<detail::map_stage<F>>> stream<T>::map(F f, std::string name) const {
  std::string n = name.empty() ? detail::graph_access::default_name(*graph_, "map") : std::move(name);
  return {*this, std::make_tuple(detail::map_stage<F>{std::move(f), n}), n};
}

template <class T>
template <class F>
chain<T, T, std::tuple<detail::filter_stage<F>>> stream<T>::filter(F f, std::string name) const {
  std::string n = name.empty() ? detail::graph_access::default_name(*graph_, "filter") : std::move(name);
  return {*this, std::make_tuple(detail::filter_stage<F>{std::move(f), n}), n};
}

template <class T>
template <class F, class R, class U>
chain<T, U, std::tuple<detail::flat_map_stage<F>>> stream<T>::flat_map(F f, std::string name) const {
  std::string n = name.empty() ? detail::graph_access::default_name(*graph_, "flat_map") : std::move(name);
  return {*this, std::make_tuple(detail::flat_map_stage<F>{std::move(f), n}), n};
}

template <class T>
template <class F>
chain<T, T, std::tuple<detail::inspect_stage<F>>> stream<T>::inspect(F f, std::string name) const {
  std::string n = name.empty() ? detail::graph_access::default_name(*graph_, "inspect") : std::move(name);
  return {*this, std::make_tuple(detail::inspect_stage<F>{std::move(f), n}), n};
}

}  // namespace streamweave
