// Loops on random graphs against sequential oracles: BFS distances and connected components
// (label propagation), several epochs per run, 1-4 threads, 1-3 instances inside the loop,
// tiny batches and queues so that back-pressure meets the feedback cycle.
// Replay a failure with STREAMWEAVE_SEED=<seed>; explore with STREAMWEAVE_SEED_BASE / _RUNS.
#include <streamweave/streamweave.hpp>

#include "iterate/loop_algorithms.hpp"
#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <vector>

namespace sw = streamweave;
using sw::testing::adjacency;
using sw::testing::node_value;

namespace {

adjacency random_graph(std::mt19937_64& rng, bool undirected) {
  const auto n = static_cast<std::uint32_t>(2 + rng() % 120);
  const std::size_t edges = rng() % (3 * n);
  adjacency g(n);
  for (std::size_t i = 0; i < edges; ++i) {
    const auto a = static_cast<std::uint32_t>(rng() % n), b = static_cast<std::uint32_t>(rng() % n);
    g[a].push_back(b);
    if (undirected) g[b].push_back(a);
  }
  return g;
}

struct scenario {
  bool components = false;  // else BFS
  std::vector<adjacency> graphs;  // one per epoch
  std::vector<std::uint32_t> sources;  // BFS only, one per epoch
  std::size_t threads = 1;
  std::size_t instances = 1;
};

scenario make_scenario(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  scenario s;
  s.components = rng() % 2 == 0;
  s.threads = 1 + rng() % 4;
  s.instances = 1 + rng() % 3;
  const std::size_t epochs = 1 + rng() % 3;
  for (std::size_t e = 0; e < epochs; ++e) {
    s.graphs.push_back(random_graph(rng, s.components));
    s.sources.push_back(static_cast<std::uint32_t>(rng() % s.graphs.back().size()));
  }
  return s;
}

/// Runs the scenario; returns per epoch the final value per node, or fails the test.
std::vector<std::map<std::uint32_t, std::uint32_t>> run(const scenario& s, const std::string& note) {
  sw::runtime_options o;
  o.threads = s.threads;
  o.batch_size = 4;
  o.queue_capacity = 2;
  sw::runtime rt(o);
  sw::graph g("random loop");
  auto [in, seeds] = g.input<node_value>("seeds");
  auto graphs = std::make_shared<const std::vector<adjacency>>(s.graphs);
  // Proposals for the next round: BFS adds an edge to the distance, labels spread unchanged.
  // Which graph: the epoch is not in the record, so it rides in the high bits of the value.
  auto step = [graphs, components = s.components](const node_value& r) {
    const std::uint32_t epoch = r.second >> 24, value = r.second & 0xffffff;
    std::vector<node_value> out;
    for (auto w : (*graphs)[epoch][r.first]) out.emplace_back(w, (epoch << 24) | (components ? value : value + 1));
    return out;
  };
  auto live = std::make_shared<std::atomic<int>>(0);
  auto result = sw::testing::propagate_minimum(seeds, "loop", s.instances, step, live).collect("result");
  auto execution = rt.run(g);
  for (std::uint32_t e = 0; e < s.graphs.size(); ++e) {
    in.advance_to(e);
    if (s.components) {
      for (std::uint32_t v = 0; v < s.graphs[e].size(); ++v) in.send({v, (e << 24) | v});
    } else {
      in.send({s.sources[e], e << 24});
    }
  }
  in.close();
  if (!execution.wait_for(std::chrono::seconds(120))) {
    ADD_FAILURE() << "the loop did not finish within 120 s (deadlock?) " << note;
    execution.cancel();
    return {};
  }
  EXPECT_EQ(live->load(), 0) << "per-epoch loop state not freed " << note;
  std::vector<std::map<std::uint32_t, std::uint32_t>> out;
  for (std::uint32_t e = 0; e < s.graphs.size(); ++e) {
    auto m = sw::testing::minimum_per_node(result.items(), e);
    for (auto& [node, value] : m) value &= 0xffffff;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

TEST(LoopRandom, BfsAndComponentsMatchSequentialOracles) {
  const std::size_t runs = sw::testing::runs(100);
  for (std::size_t i = 0; i < runs; ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i);
    const scenario s = make_scenario(seed);
    const std::string note = sw::testing::seed_note(seed) + (s.components ? " components" : " bfs") +
                             " threads=" + std::to_string(s.threads) + " instances=" + std::to_string(s.instances);
    const auto got = run(s, note);
    if (::testing::Test::HasFailure()) return;
    for (std::size_t e = 0; e < s.graphs.size(); ++e) {
      const auto expected = s.components ? sw::testing::components_oracle(s.graphs[e]) : sw::testing::bfs_oracle(s.graphs[e], s.sources[e]);
      ASSERT_EQ(got[e], expected) << "epoch " << e << " " << note;
    }
  }
}
