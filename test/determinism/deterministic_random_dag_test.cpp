// Randomized: for random graphs (fan-in, fan-out, exchange, notifications, delayed capabilities,
// binary operators, 1-3 inputs fed by their own threads with random timing), every sink's
// per-time multisets are the same at 1, 2 and 4 threads and in deterministic mode, and two
// deterministic runs with different sender timing give identical sequences.
// A failure prints its seed; STREAMWEAVE_SEED=<seed> replays it.
#include <streamweave/streamweave.hpp>

#include "determinism/order_sensitive.hpp"
#include "determinism/replay.hpp"
#include "support/random_graph.hpp"
#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace sw = streamweave;

namespace {

namespace rg = sw::testing::random_graph;
using rg::op;
using value = rg::value;
using items = std::vector<sw::timed<value>>;

struct graph_plan {
  std::vector<rg::node> nodes;
  std::vector<std::vector<std::vector<value>>> scripts;  // per input, per epoch: records
  std::size_t batch_size = 1;
  std::size_t queue_capacity = 1;
  std::size_t activation_budget = 1;
};

rg::shape order_sensitive_shape() {
  rg::shape s;
  s.min_inputs = 1;
  s.max_inputs = 3;
  s.min_operators = 2;
  s.max_operators = 10;
  s.operator_mix = {op::map, op::filter, op::flat_map, op::concat, op::hold, op::shift, op::binary};
  s.extra_sink_one_in = 4;
  s.sink_exchange_one_in = 3;
  s.exchange_key = [](value v) -> value { return v * 7; };  // many keys: every instance gets records
  return s;
}

graph_plan make_plan(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  graph_plan p;
  p.batch_size = 1 + pick(20);
  p.queue_capacity = 1 + pick(4);
  p.activation_budget = 1 + pick(6);
  p.nodes = rg::make_topology(rng, order_sensitive_shape());
  for (const auto& n : p.nodes) {
    if (n.kind != op::input) continue;
    std::vector<std::vector<value>> epochs(2 + pick(4));
    for (auto& e : epochs) {
      e.resize(pick(30));
      for (auto& v : e) v = rng() & 0xfff;
    }
    p.scripts.push_back(std::move(epochs));
  }
  return p;
}

/// Runs the plan once; returns every sink's items in arrival order.
std::vector<items> run_plan(const graph_plan& p, std::size_t threads, bool deterministic, std::uint64_t timing_seed) {
  sw::runtime_options o;
  o.threads = threads;
  o.deterministic = deterministic;
  o.batch_size = p.batch_size;
  o.queue_capacity = p.queue_capacity;
  o.activation_budget = p.activation_budget;
  sw::runtime rt(o);
  sw::graph g("random");
  std::vector<sw::collection<value>> sinks;
  // The order-sensitive kinds (order_sensitive.hpp) make any schedule difference visible.
  auto custom = [&](std::size_t i, const sw::stream<value>& in,
                    const std::vector<std::optional<sw::stream<value>>>& s) -> std::optional<sw::stream<value>> {
    const std::string name = rg::node_name(i);
    switch (p.nodes[i].kind) {
      case op::hold: return sw::testing::hold_per_epoch(in, name, 3);
      case op::binary: return sw::testing::interleave(in, *s[p.nodes[i].from[1]], name, 5);
      default: sinks.push_back(in.collect(name)); return std::nullopt;
    }
  };
  std::vector<sw::input_handle<value>> handles = rg::build(g, order_sensitive_shape(), p.nodes, custom);
  auto ex = rt.run(g);
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < handles.size(); ++i)
    senders.emplace_back([&, i] {
      sw::testing::jitter pause(timing_seed * 17 + i);
      auto& h = handles[i];
      const auto& epochs = p.scripts[i];
      for (std::size_t e = 0; e < epochs.size(); ++e) {
        for (value v : epochs[e]) {
          h.send(v);
          pause();
        }
        h.advance_to(e + 1);
      }
      h.close();
    });
  for (auto& t : senders) t.join();
  ex.wait();
  std::vector<items> out;
  for (const auto& c : sinks) out.push_back(c.items());
  return out;
}

}  // namespace

TEST(DeterministicRandomDag, SameMultisetsAtAnyThreadCountAndSameSequencesWhenDeterministic) {
  for (std::size_t k = 0; k < sw::testing::runs(60); ++k) {
    const std::uint64_t seed = sw::testing::seed_for(k, 5150);
    SCOPED_TRACE(sw::testing::seed_note(seed));
    const graph_plan p = make_plan(seed);
    const auto det = run_plan(p, 1, true, seed);
    ASSERT_FALSE(det.empty());
    const auto det_again = run_plan(p, 1, true, seed + 1);
    for (std::size_t s = 0; s < det.size(); ++s)
      EXPECT_TRUE(det[s] == det_again[s]) << "sink " << s << ": two deterministic runs differ";
    for (std::size_t threads : {1, 2, 4}) {
      const auto got = run_plan(p, threads, false, seed + threads);
      ASSERT_EQ(got.size(), det.size());
      for (std::size_t s = 0; s < det.size(); ++s)
        EXPECT_EQ(sw::testing::per_time_multisets(got[s]), sw::testing::per_time_multisets(det[s]))
            << "sink " << s << " at " << threads << " threads differs from the deterministic run";
    }
    if (::testing::Test::HasFailure()) {
      std::fprintf(stderr, "DeterministicRandomDag failed: %s\n", sw::testing::seed_note(seed).c_str());
      break;
    }
  }
}
