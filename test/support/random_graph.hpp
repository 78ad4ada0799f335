#pragma once
// The one random-graph builder of the randomized tests (test/runtime/random_dag_test.cpp,
// test/determinism/deterministic_random_dag_test.cpp, test/support/fault_workload.hpp).
//
// `make_topology` draws a graph's shape from a seeded generator: inputs first, then operators
// that read earlier nodes (so it is acyclic), some through an exchange, then a sink for every
// stream nobody reads plus some extra sinks (fan-out). `build` turns a topology into a
// StreamWeave graph: it makes the inputs, the exchanges and the stateless operators itself and
// asks the test for the others (stateful operators, sinks), so every test keeps its own checks.
// The stateless record functions are here too, for the tests' sequential oracles.
#include <streamweave/streamweave.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace streamweave::testing::random_graph {

using value = std::uint64_t;

/// Node kinds. `build` makes input, map, filter, flat_map, concat and shift; the test makes
/// the others (hold: a stateful operator that keeps each time's records, binary and
/// second_after_first: two-input operators, loop, keyed_count, sink and output: sinks).
enum class op { input, map, filter, flat_map, concat, shift, hold, binary, second_after_first, loop, keyed_count, sink, output };

struct node {
  op kind = op::map;
  std::vector<std::size_t> from;  // earlier nodes read; two for the two-input kinds
  std::size_t exchange = 0;       // > 0: the first input goes through an n-way exchange
  std::uint32_t depends = 0;      // bit i: the node depends on the graph's i-th input
};

/// What a topology may contain. Kinds are drawn uniformly from the mixes: repeat a kind to
/// make it likelier.
struct shape {
  std::size_t min_inputs = 1, max_inputs = 2;
  std::size_t min_operators = 3, max_operators = 12;
  std::vector<op> operator_mix;
  std::vector<op> sink_mix = {op::sink};
  std::size_t exchange_one_in = 3;       // an operator's input is exchanged with probability 1/n
  std::size_t max_exchange = 4;          // ... to 1..max_exchange instances
  std::size_t extra_sink_one_in = 3;     // a stream someone reads gets another sink with probability 1/n
  std::size_t sink_exchange_one_in = 2;  // a sink's input is exchanged with probability 1/n
  std::size_t max_sink_exchange = 3;
  /// The key every exchange routes by (build). Few keys leave some instances idle; many
  /// spread records over all of them.
  value (*exchange_key)(value) = [](value v) -> value { return v % 13; };
};

inline bool two_inputs(op k) { return k == op::concat || k == op::binary || k == op::second_after_first; }

/// Draws a topology of `s` from `rng`. A second_after_first node (which reads its second input
/// only once the first is done) gets a second input only when every graph input feeding its
/// first one comes before every graph input feeding the second, and only one per graph, so
/// that no wait goes round in a circle; otherwise it becomes a map.
inline std::vector<node> make_topology(std::mt19937_64& rng, const shape& s) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto between = [&](std::size_t lo, std::size_t hi) { return lo + pick(hi - lo + 1); };
  if (s.operator_mix.empty() || s.sink_mix.empty() || s.min_inputs == 0 || s.min_inputs > s.max_inputs ||
      s.max_inputs > 32 || s.min_operators > s.max_operators || s.exchange_one_in == 0 || s.max_exchange == 0 ||
      s.extra_sink_one_in == 0 || s.sink_exchange_one_in == 0 || s.max_sink_exchange == 0 || s.exchange_key == nullptr)
    throw std::invalid_argument("random_graph::shape: an empty mix, a range whose minimum exceeds its maximum, "
                                "a zero count or probability, or more than 32 inputs");
  std::vector<node> nodes;
  const std::size_t inputs = between(s.min_inputs, s.max_inputs);
  for (std::size_t i = 0; i < inputs; ++i) nodes.push_back({op::input, {}, 0, std::uint32_t{1} << i});

  bool has_second_after_first = false;
  const std::size_t operators = between(s.min_operators, s.max_operators);
  for (std::size_t k = 0; k < operators; ++k) {
    node n;
    n.kind = s.operator_mix[pick(s.operator_mix.size())];
    n.from.push_back(pick(nodes.size()));
    if (n.kind == op::second_after_first) {
      std::optional<std::size_t> second;
      const std::uint32_t first = nodes[n.from[0]].depends;
      for (std::size_t tries = 0; tries < 20 && !second && !has_second_after_first; ++tries) {
        const std::size_t candidate = pick(nodes.size());
        const std::uint32_t d = nodes[candidate].depends;
        if (d != 0 && first != 0 && (31 - __builtin_clz(first)) < __builtin_ctz(d)) second = candidate;
      }
      if (second) {
        n.from.push_back(*second);
        has_second_after_first = true;
      } else {
        n.kind = op::map;
      }
    } else if (two_inputs(n.kind)) {
      n.from.push_back(pick(nodes.size()));
    }
    if (pick(s.exchange_one_in) == 0) n.exchange = 1 + pick(s.max_exchange);
    for (auto f : n.from) n.depends |= nodes[f].depends;
    nodes.push_back(n);
  }

  std::vector<bool> read(nodes.size(), false);
  for (const auto& n : nodes)
    for (auto f : n.from) read[f] = true;
  const std::size_t streams = nodes.size();
  for (std::size_t i = 0; i < streams; ++i)
    if (!read[i] || pick(s.extra_sink_one_in) == 0) {
      node sink{s.sink_mix[pick(s.sink_mix.size())], {i}, 0, nodes[i].depends};
      if (pick(s.sink_exchange_one_in) == 0) sink.exchange = 1 + pick(s.max_sink_exchange);
      nodes.push_back(sink);
    }
  return nodes;
}

// The stateless kinds' record functions.
inline value mix(value v) { return (v * 2654435761ULL + 7) & 0xffffffffULL; }
inline bool keep(value v) { return v % 3 != 1; }
inline std::vector<value> expand(value v) {
  std::vector<value> out{v};
  if (v % 4 == 0) out.push_back(v ^ 1);
  return out;
}

inline std::string node_name(std::size_t i) { return "n" + std::to_string(i); }

/// Called with (node, record) for every record a map, filter or flat_map sees: a test's hook
/// for delays or injected faults. May throw (that is an operator failing).
using record_hook = std::function<void(std::size_t, value)>;

/// The stateful kinds and sinks: `make(i, in, streams)` builds node `i` reading `in` (its
/// first input, exchanged already; `streams[j]` is node j's output, for a second input) and
/// returns its output stream, or nullopt for a sink.
using custom_builder = std::function<std::optional<stream<value>>(std::size_t, const stream<value>&,
                                                                  const std::vector<std::optional<stream<value>>>&)>;

/// Builds `nodes` (drawn for `s`) into `g`, node `i` named `node_name(i)`. Returns the input
/// handles, in node order.
inline std::vector<input_handle<value>> build(graph& g, const shape& s, const std::vector<node>& nodes,
                                              const custom_builder& make, const record_hook& hook = {}) {
  std::vector<input_handle<value>> inputs;
  std::vector<std::optional<stream<value>>> streams(nodes.size());
  auto seen = [hook](std::size_t i, value v) {
    if (hook) hook(i, v);
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const node& n = nodes[i];
    const std::string name = node_name(i);
    if (n.kind == op::input) {
      auto [h, s] = g.input<value>(name);
      inputs.push_back(h);
      streams[i] = s;
      continue;
    }
    stream<value> in = *streams[n.from[0]];
    if (n.exchange > 0) in = in.exchange(s.exchange_key, n.exchange);
    switch (n.kind) {
      case op::map:
        streams[i] = in.map([seen, i](value v) {
          seen(i, v);
          return mix(v);
        }, name);
        break;
      case op::filter:
        streams[i] = in.filter([seen, i](value v) {
          seen(i, v);
          return keep(v);
        }, name);
        break;
      case op::flat_map:
        streams[i] = in.flat_map([seen, i](value v) {
          seen(i, v);
          return expand(v);
        }, name);
        break;
      case op::concat:
        streams[i] = in.concat(*streams[n.from[1]]);
        break;
      case op::shift:
        streams[i] = in.unary<value>(name, [](operator_setup& setup) {
          setup.drop_initial_capability();
          return [](unary_context<value, value>& ctx) {
            ctx.input.for_each([&](input_batch<value>& b) {
              auto later = b.retain().delayed(b.time() + 1);
              for (value v : b.records()) ctx.output.give(later, v);
            });
          };
        });
        break;
      default:
        streams[i] = make(i, in, streams);
        break;
    }
  }
  return inputs;
}

/// What each node emits (a sink: what it receives) in a sequential run where `inputs[k]` is
/// what the k-th input sends, as (time, record) pairs. Knows the kinds `build` makes, plus
/// hold and sink when the test's versions pass their records on unchanged; throws for others.
using timed_values = std::vector<std::pair<timestamp, value>>;
inline std::vector<timed_values> oracle(const std::vector<node>& nodes, const std::vector<timed_values>& inputs) {
  std::vector<timed_values> out(nodes.size());
  std::size_t input_no = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const node& n = nodes[i];
    timed_values in;
    for (auto f : n.from) in.insert(in.end(), out[f].begin(), out[f].end());
    auto& o = out[i];
    switch (n.kind) {
      case op::input: o = inputs.at(input_no++); break;
      case op::map:
        for (auto [t, v] : in) o.push_back({t, mix(v)});
        break;
      case op::filter:
        for (auto [t, v] : in)
          if (keep(v)) o.push_back({t, v});
        break;
      case op::flat_map:
        for (auto [t, v] : in)
          for (value e : expand(v)) o.push_back({t, e});
        break;
      case op::shift:
        for (auto [t, v] : in) o.push_back({t + 1, v});
        break;
      case op::concat:
      case op::hold:
      case op::sink: o = std::move(in); break;
      default: throw std::invalid_argument("random_graph::oracle: node " + node_name(i) + " has a kind it does not model");
    }
  }
  return out;
}

}  // namespace streamweave::testing::random_graph
