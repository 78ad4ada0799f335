// Randomized: for random graphs (fan-in, fan-out, exchange, notifications, delayed capabilities,
// binary operators, 1-3 inputs fed by their own threads with random timing), every sink's
// per-time multisets are the same at 1, 2 and 4 threads and in deterministic mode, and two
// deterministic runs with different sender timing give identical sequences.
// A failure prints its seed; STREAMWEAVE_SEED=<seed> replays it.
#include <streamweave/streamweave.hpp>

#include "determinism/order_sensitive.hpp"
#include "determinism/replay.hpp"
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

using value = std::uint64_t;
using items = std::vector<sw::timed<value>>;

enum class kind { input, map, filter, flat_map, concat, hold, shift, binary, sink };

struct node_plan {
  kind k;
  std::vector<std::size_t> from;
  std::size_t exchange = 0;  // > 0: the first input goes through an n-way exchange
};

struct graph_plan {
  std::vector<node_plan> nodes;
  std::vector<std::vector<std::vector<value>>> scripts;  // per input, per epoch: records
  std::size_t batch_size = 1;
  std::size_t queue_capacity = 1;
  std::size_t activation_budget = 1;
};

graph_plan make_plan(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  graph_plan p;
  p.batch_size = 1 + pick(20);
  p.queue_capacity = 1 + pick(4);
  p.activation_budget = 1 + pick(6);
  const std::size_t n_inputs = 1 + pick(3);
  for (std::size_t i = 0; i < n_inputs; ++i) {
    p.nodes.push_back({kind::input, {}, 0});
    std::vector<std::vector<value>> epochs(2 + pick(4));
    for (auto& e : epochs) {
      e.resize(pick(30));
      for (auto& v : e) v = rng() & 0xfff;
    }
    p.scripts.push_back(std::move(epochs));
  }
  const std::size_t n_ops = 2 + pick(9);
  static constexpr kind ops[] = {kind::map, kind::filter, kind::flat_map, kind::concat, kind::hold, kind::shift, kind::binary};
  for (std::size_t k = 0; k < n_ops; ++k) {
    node_plan n{ops[pick(std::size(ops))], {pick(p.nodes.size())}, pick(3) == 0 ? 1 + pick(4) : 0};
    if (n.k == kind::concat || n.k == kind::binary) n.from.push_back(pick(p.nodes.size()));
    p.nodes.push_back(n);
  }
  std::vector<bool> consumed(p.nodes.size(), false);
  for (const auto& n : p.nodes)
    for (auto f : n.from) consumed[f] = true;
  const std::size_t before = p.nodes.size();
  for (std::size_t i = 0; i < before; ++i)
    if (!consumed[i] || pick(4) == 0) p.nodes.push_back({kind::sink, {i}, pick(3) == 0 ? 1 + pick(3) : 0});
  return p;
}

sw::stream<value> shift_by_one(const sw::stream<value>& in, const std::string& name) {
  return in.unary<value>(name, [](sw::operator_setup& setup) {
    setup.drop_initial_capability();
    return [](sw::unary_context<value, value>& ctx) {
      ctx.input.for_each([&](sw::input_batch<value>& b) {
        auto later = b.retain().delayed(b.time() + 1);
        for (value v : b.records()) ctx.output.give(later, v);
      });
    };
  });
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
  std::vector<std::optional<sw::stream<value>>> s(p.nodes.size());
  std::vector<sw::input_handle<value>> handles;
  std::vector<sw::collection<value>> sinks;
  for (std::size_t i = 0; i < p.nodes.size(); ++i) {
    const auto& n = p.nodes[i];
    const std::string name = "n" + std::to_string(i);
    if (n.k == kind::input) {
      auto [h, st] = g.input<value>(name);
      handles.push_back(h);
      s[i] = st;
      continue;
    }
    sw::stream<value> in = *s[n.from[0]];
    if (n.exchange > 0) in = in.exchange([](value v) { return v * 7; }, n.exchange);
    switch (n.k) {
      case kind::map: s[i] = in.map([](value v) { return (v * 31 + 5) & 0xffffff; }, name); break;
      case kind::filter: s[i] = in.filter([](value v) { return v % 4 != 1; }, name); break;
      case kind::flat_map:
        s[i] = in.flat_map([](value v) { return v % 3 == 0 ? std::vector<value>{v, v + 1} : std::vector<value>{v}; }, name);
        break;
      case kind::concat: s[i] = in.concat(*s[n.from[1]]); break;
      case kind::hold: s[i] = sw::testing::hold_per_epoch(in, name, 3); break;
      case kind::shift: s[i] = shift_by_one(in, name); break;
      case kind::binary: s[i] = sw::testing::interleave(in, *s[n.from[1]], name, 5); break;
      case kind::sink: sinks.push_back(in.collect(name)); break;
      case kind::input: break;
    }
  }
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
