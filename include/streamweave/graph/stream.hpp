#pragma once
/// \file
/// `stream<T>`: a typed handle to the output of a node in a graph under construction. Operator
/// methods add a node consuming this stream and return its output stream, except the stateless
/// ones (`map`, `filter`, `flat_map`, `inspect`), which return a `chain` (graph/chain.hpp) so
/// that `input.map(f).filter(g).for_each(h)` runs as one loop per record.
///
/// Fan-out: a stream may be consumed by any number of operators; each sees every record, and
/// they share one read-only batch (no copies). Parallelism: an operator runs as many instances
/// as its input stream has (1 for sources and inputs); `exchange(key, n)` repartitions a stream
/// by key into `n` instances.
///
/// Operator names appear in every error message; unnamed operators get `<kind>#<n>`, numbered
/// per graph.
/// Thread safety: building a graph is single-threaded. Errors: `graph_error` when the graph
/// already runs or when streams of different graphs are combined.
#include <streamweave/detail/basic_operators.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/error.hpp>
#include <streamweave/graph/exchange.hpp>
#include <streamweave/operators/generic.hpp>
#include <streamweave/progress/probe.hpp>
#include <streamweave/sinks/collection.hpp>
#include <streamweave/sinks/output_handle.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamweave {

template <class T, class Key>
class keyed_stream;
class loop_scope;
template <class T>
class feedback_handle;
template <class T>
class stream;

/// The most parallel instances one operator may have (`exchange`, `key_by`, partitioned
/// sources): more would not fit the process (each instance has its own queues and task).
inline constexpr std::size_t max_parallelism = 4096;

namespace detail {

/// The builder layer's only door to a graph's shared description: adds nodes and edges with
/// the checks every builder call needs, makes the streams that name them, and hands the
/// description to the runtime. Users never call it; `stream`'s constructor and
/// `graph`'s state are private, with this class as their friend.
class graph_access {
 public:
  /// The description behind `g` (a `graph`): what `runtime::start` runs and what sources
  /// defined outside graph.hpp add nodes to.
  template <class Graph>
  static const std::shared_ptr<graph_state>& state_of(const Graph& g) noexcept {
    return g.state_;
  }
  /// The stream of output `port` of node `node`, read by `parallelism` instances, or by the
  /// instances of `exchange` when it is set.
  template <class T>
  static stream<T> make_stream(std::shared_ptr<graph_state> g, std::size_t node, std::size_t port,
                               std::size_t parallelism, std::shared_ptr<const partition> exchange = nullptr) {
    return stream<T>(std::move(g), node, port, parallelism, std::move(exchange));
  }
  static std::size_t add_node(graph_state& g, node_spec spec) {
    if (g.started)
      throw graph_error("graph '" + g.name + "' is already running; cannot add '" + spec.name + "'");
    if (spec.name.empty()) spec.name = "node#" + std::to_string(g.nodes.size());
    g.nodes.push_back(std::move(spec));
    return g.nodes.size() - 1;
  }
  static std::string default_name(graph_state& g, const char* kind) {
    return std::string(kind) + "#" + std::to_string(g.names_given++);
  }
  /// Throws `usage_error` naming `what` when `n` parallel instances cannot work.
  static void check_parallelism(std::size_t n, const std::string& what) {
    if (n == 0) throw usage_error(what + ": needs at least one instance");
    if (n > max_parallelism)
      throw usage_error(what + ": " + std::to_string(n) + " parallel instances are too many (at most " +
                        std::to_string(max_parallelism) + ")");
  }
  /// `name` (moved from) when the user gave one, else the next default name for `kind`.
  static std::string name_or_default(graph_state& g, std::string& name, const char* kind) {
    return name.empty() ? default_name(g, kind) : std::move(name);
  }
  /// Marks the node producing `s` as one that compares event times with batch times.
  template <class S>
  static void mark_reads_event_time(const S& s) {
    s.graph_->nodes[s.node_].reads_event_time = true;
  }
};

}  // namespace detail

template <class Origin, class Out, class Stages>
class basic_chain;

namespace detail {
template <class In>
struct stream_origin;
template <class T, class Make>
struct generator_origin;
template <class F>
struct map_stage;
template <class F>
struct filter_stage;
template <class F>
struct flat_map_stage;
template <class F>
struct inspect_stage;
}  // namespace detail

template <class T>
class stream {
 public:
  using value_type = T;

  /// `f(const T&) -> U` for every record. Returns a `chain` (graph/chain.hpp): consecutive
  /// stateless operators written in one expression run in one loop.
  template <class F, class U = std::decay_t<std::invoke_result_t<F&, const T&>>>
  [[nodiscard]] basic_chain<detail::stream_origin<T>, U, std::tuple<detail::map_stage<F>>> map(F f, std::string name = {}) const;

  /// Keeps the records for which `f(const T&)` is true. Returns a `chain`.
  template <class F>
  [[nodiscard]] basic_chain<detail::stream_origin<T>, T, std::tuple<detail::filter_stage<F>>> filter(F f, std::string name = {}) const;

  /// `f(const T&)` returns a range; every element becomes a record. Returns a `chain`.
  template <class F, class R = std::invoke_result_t<F&, const T&>,
            class U = std::decay_t<decltype(*std::begin(std::declval<R&>()))>>
  [[nodiscard]] basic_chain<detail::stream_origin<T>, U, std::tuple<detail::flat_map_stage<F>>> flat_map(F f, std::string name = {}) const;

  /// Calls `f(const T&)` or `f(timestamp, const T&)` for every record and passes it on.
  /// Returns a `chain`.
  template <class F>
  [[nodiscard]] basic_chain<detail::stream_origin<T>, T, std::tuple<detail::inspect_stage<F>>> inspect(F f, std::string name = {}) const;

  /// Repartitions by `key(const T&)` into `n` parallel instances of the next operator (0 =
  /// hardware concurrency; at most `max_parallelism`, else `usage_error`). Each record goes to
  /// exactly one instance: `exchange_destination(key_hash<K>{}(key(r)), n)`, where `key_hash`
  /// is `std::hash` and combines the parts of pairs and tuples (graph/key_hash.hpp).
  template <class Key>
  stream<T> exchange(Key key, std::size_t n = 0) const {
    static_assert(std::is_invocable_v<const Key&, const T&>, "exchange: the key function must accept const T&");
    static_assert(detail::key_hash_enabled<std::decay_t<std::invoke_result_t<const Key&, const T&>>>(),
                  "exchange/key_by: the key type has no hash. Specialize std::hash<K> or streamweave::key_hash<K> "
                  "(std::pair and std::tuple of hashable types need nothing)");
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    detail::graph_access::check_parallelism(n, "exchange after '" + producer_name() + "'");
    return stream<T>(graph_, node_, port_, parallelism_, std::make_shared<detail::key_partition<T, Key>>(std::move(key), n));
  }

  /// The same stream, except that the operator attached to the result starts a new chain: it
  /// runs as its own node and scheduling unit and reads this stream's batches from an edge
  /// queue, where it would otherwise have been fused into the producer's loop (Flink's
  /// `startNewChain`). Every batch then crosses a queue, and producer and consumer can run on
  /// different threads at the same time: use it to pipeline expensive stages, or to measure
  /// the queued path. Only the edge to that operator is affected; the stateless operators
  /// written after it fuse with it as usual.
  [[nodiscard]] stream<T> start_new_chain() const {
    stream<T> s = *this;
    s.new_chain_ = true;
    return s;
  }

  /// Partitions by `key(const T&)` into `n` instances (0 = hardware concurrency) for keyed
  /// operators. Defined in keyed/keyed_stream.hpp, which this header does not include (the
  /// graph layer does not depend on the keyed and window layers): include it, or the umbrella
  /// header streamweave/streamweave.hpp. Without it, a call fails to compile on the incomplete
  /// `keyed_stream`.
  template <class Key>
  keyed_stream<T, Key> key_by(Key key, std::size_t n = 0) const;

  /// The union of this stream and `others` (same record type, same graph).
  template <class... Streams>
  stream<T> concat(const Streams&... others) const {
    static_assert((std::is_convertible_v<const Streams&, stream<T>> && ...), "concat needs streams of the same record type");
    const std::vector<stream<T>> converted{static_cast<stream<T>>(others)...};
    std::vector<const stream<T>*> all{this};
    for (const auto& s : converted) all.push_back(&s);
    detail::node_spec spec;
    spec.name = detail::graph_access::default_name(*graph_, "concat");
    spec.inputs = all.size();
    spec.outputs = 1;
    spec.parallelism = consumer_parallelism();
    spec.make_body = [](const detail::instance_info&, std::vector<capability>) { return std::make_unique<detail::concat_body>(); };
    for (const auto* s : all) check_same_graph(*s, spec.name);
    const std::size_t id = detail::graph_access::add_node(*graph_, std::move(spec));
    for (std::size_t i = 0; i < all.size(); ++i) all[i]->connect_to(id, i);
    return stream<T>(graph_, id, 0, graph_->nodes[id].parallelism);
  }

  /// Sink: calls `f(const T&)` or `f(timestamp, const T&)` for every record. With parallel
  /// instances, `f` is copied per instance and the copies run concurrently. A small callable
  /// with trivial copy and destruction (a pointer, a few counters) may run on a copy for the
  /// length of a batch that is then copied back, so it must not hold pointers into itself.
  template <class F>
  void for_each(F f, std::string name = {}) const {
    add_sink(name, "for_each", true, frontier_interest_never(),
             [f](const detail::instance_info&) { return std::make_unique<detail::for_each_body<T, F>>(f); });
  }

  /// Sink with per-instance state: `builder(operator_setup&)` runs once per parallel instance
  /// and returns the callable `f(const T&)` or `f(timestamp, const T&)` that instance calls for
  /// each of its records (e.g. a partial sum in a slot indexed by `setup.instance_index()`).
  /// The callable may be copied per batch, as for `for_each`.
  template <class Builder>
  void sink(std::string name, Builder builder) const {
    add_sink(name, "sink", true, frontier_interest_never(), [builder](const detail::instance_info& info) {
      operator_setup setup(info, {});
      auto f = builder(setup);
      return std::make_unique<detail::for_each_body<T, decltype(f)>>(std::move(f));
    });
  }

  /// Sink: gathers every record with its time into a thread-safe collection.
  collection<T> collect(std::string name = {}) const {
    auto state = std::make_shared<detail::collection_state<T>>();
    add_sink(name, "collect", true, frontier_interest_never(),
             [state](const detail::instance_info&) { return std::make_unique<detail::collect_body<T>>(state); });
    return collection<T>(state);
  }

  /// Sink: an outside thread pulls the records; at most `capacity` records are buffered.
  output_handle<T> output(std::size_t capacity = 65536, std::string name = {}) const {
    auto state = std::make_shared<detail::output_state<T>>(capacity == 0 ? 1 : capacity);
    add_sink(name, "output", false, detail::frontier_interest::always,
             [state](const detail::instance_info& info) {
               return std::make_unique<detail::output_body<T>>(state, info.index, info.count);
             });
    return output_handle<T>(state);
  }

  /// A probe: lets any thread ask whether a time is complete at this stream (every record at
  /// or before it was produced and processed by the stream's consumers).
  streamweave::probe probe() const {
    auto state = std::make_shared<detail::probe_state>();
    check_not_started("probe");
    graph_->probes.push_back({node_, port_, state});
    return streamweave::probe(state);
  }

  /// A generic operator with one input and one output of `U`. See operators/generic.hpp.
  /// `builder(operator_setup&)` returns the body `void(unary_context<T, U>&)`.
  template <class U, class Builder>
  stream<U> unary(std::string name, Builder builder) const {
    const std::size_t id = add_generic<detail::single_output_body<unary_context<T, U>, U>>(std::move(name), "unary", 1, 1, builder);
    connect_to(id, 0);
    return stream<U>(graph_, id, 0, graph_->nodes[id].parallelism);
  }

  /// A generic operator with two inputs (this stream is input 1, `other` input 2). With
  /// different parallelism, `other` is merged into this stream's instances.
  template <class U, class Other, class Builder>
  stream<U> binary(const Other& other_in, std::string name, Builder builder) const {
    using T2 = typename Other::value_type;
    const stream<T2> other = other_in;  // a chain becomes its node
    check_same_graph(other, name.empty() ? std::string("binary") : name);
    const std::size_t id = add_generic<detail::single_output_body<binary_context<T, T2, U>, U>>(std::move(name), "binary", 2, 1, builder);
    connect_to(id, 0);
    other.connect_to(id, 1);
    return stream<U>(graph_, id, 0, graph_->nodes[id].parallelism);
  }

  /// A generic operator with one input and one output per type in `Us` (e.g. results and a
  /// side stream of late records). `builder(operator_setup&)` returns the body
  /// `void(outputs_context<std::tuple<T>, Us...>&)`; returns the output streams in port order.
  /// Every output stream must be consumed, like any stream.
  template <class... Us, class Builder>
  std::tuple<stream<Us>...> unary_outputs(std::string name, Builder builder) const {
    using body = detail::multi_output_body<outputs_context<std::tuple<T>, Us...>, Us...>;
    const std::size_t id = add_generic<body>(std::move(name), "unary", 1, sizeof...(Us), builder);
    connect_to(id, 0);
    return output_streams<Us...>(id, std::index_sequence_for<Us...>{});
  }

  /// A generic operator with two inputs (this stream, then `other`) and one output per type in
  /// `Us`; the body takes `outputs_context<std::tuple<T, T2>, Us...>&`. Parallelism as `binary`.
  template <class... Us, class Other, class Builder>
  std::tuple<stream<Us>...> binary_outputs(const Other& other_in, std::string name, Builder builder) const {
    using T2 = typename Other::value_type;
    const stream<T2> other = other_in;
    check_same_graph(other, name.empty() ? std::string("binary") : name);
    using body = detail::multi_output_body<outputs_context<std::tuple<T, T2>, Us...>, Us...>;
    const std::size_t id = add_generic<body>(std::move(name), "binary", 2, sizeof...(Us), builder);
    connect_to(id, 0);
    other.connect_to(id, 1);
    return output_streams<Us...>(id, std::index_sequence_for<Us...>{});
  }

  /// The name of the node producing this stream.
  const std::string& producer_name() const { return graph_->nodes[node_].name; }
  /// Parallel instances the next operator attached to this stream gets.
  std::size_t consumer_parallelism() const noexcept { return exchange_ ? exchange_->instances() : parallelism_; }
  const detail::graph_state* graph_id() const noexcept { return graph_.get(); }

 private:
  template <class>
  friend class stream;
  template <class, class, class>
  friend class basic_chain;
  template <class>
  friend struct detail::stream_origin;
  friend class loop_scope;
  template <class>
  friend class feedback_handle;
  friend class detail::graph_access;

  /// Made by the graph layer only (detail::graph_access::make_stream and the builders above).
  stream(std::shared_ptr<detail::graph_state> g, std::size_t node, std::size_t port, std::size_t parallelism,
         std::shared_ptr<const detail::partition> exchange = nullptr)
      : graph_(std::move(g)), node_(node), port_(port), parallelism_(parallelism), exchange_(std::move(exchange)) {}

  static constexpr detail::frontier_interest frontier_interest_never() noexcept { return detail::frontier_interest::never; }

  void check_not_started(const std::string& what) const {
    if (graph_->started)
      throw graph_error("graph '" + graph_->name + "' is already running; cannot add " + what + " to stream '" +
                        producer_name() + "'");
  }
  template <class S>
  void check_same_graph(const S& other, const std::string& consumer) const {
    if (other.graph_id() != graph_.get())
      throw graph_error("operator '" + consumer + "' in graph '" + graph_->name + "' cannot consume stream '" +
                        other.producer_name() + "' of another graph");
  }

  void connect_to(std::size_t node, std::size_t port) const {
    graph_->edges.push_back({node_, port_, node, port, exchange_, new_chain_});
  }

  template <class Make>
  void add_sink(std::string& name, const char* kind, bool fusable, detail::frontier_interest interest, Make make) const {
    detail::node_spec spec;
    spec.name = detail::graph_access::name_or_default(*graph_, name, kind);
    spec.kind = detail::node_kind::sink;
    spec.inputs = 1;
    spec.outputs = 0;
    spec.parallelism = consumer_parallelism();
    spec.fusable = fusable;
    spec.interest = interest;
    spec.make_body = [make](const detail::instance_info& info, std::vector<capability>) -> std::unique_ptr<detail::node_body> {
      return make(info);
    };
    const std::size_t id = detail::graph_access::add_node(*graph_, std::move(spec));
    connect_to(id, 0);
  }

  /// Adds a generic operator node whose instances run `Wrap::type<body>` around the body
  /// `builder` returns.
  template <class Wrap, class Builder>
  std::size_t add_generic(std::string name, const char* kind, std::size_t inputs, std::size_t outputs, const Builder& builder) const {
    detail::node_spec spec;
    spec.name = detail::graph_access::name_or_default(*graph_, name, kind);
    spec.inputs = inputs;
    spec.outputs = outputs;
    spec.parallelism = consumer_parallelism();
    spec.interest = detail::frontier_interest::always;
    spec.initial_capability = true;
    spec.make_body = [builder](const detail::instance_info& info, std::vector<capability> initial) -> std::unique_ptr<detail::node_body> {
      operator_setup setup(info, std::move(initial));
      auto body = builder(setup);
      return std::make_unique<typename Wrap::template type<decltype(body)>>(std::move(body));
    };
    return detail::graph_access::add_node(*graph_, std::move(spec));
  }
  template <class... Us, std::size_t... Is>
  std::tuple<stream<Us>...> output_streams(std::size_t id, std::index_sequence<Is...>) const {
    return {stream<Us>(graph_, id, Is, graph_->nodes[id].parallelism)...};
  }

  std::shared_ptr<detail::graph_state> graph_;
  std::size_t node_;
  std::size_t port_;
  std::size_t parallelism_;
  std::shared_ptr<const detail::partition> exchange_;
  bool new_chain_ = false;  // start_new_chain: the next edge is never fused
};

}  // namespace streamweave

#include <streamweave/graph/chain.hpp>  // defines chain and stream's operator members
