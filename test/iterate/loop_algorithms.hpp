#pragma once
// Graph algorithms written as StreamWeave loops, and their sequential oracles, shared by the
// loop tests: breadth-first distances and connected components by label propagation. Both
// keep, per epoch and node, the best value seen and pass on improvements only, so their
// result does not depend on the order in which parallel instances see records.
#include <streamweave/streamweave.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

namespace streamweave::testing {

/// An adjacency list: `adjacency[v]` are the nodes one edge away from `v`.
using adjacency = std::vector<std::vector<std::uint32_t>>;

/// (node, value): a distance for BFS, a component label for label propagation.
using node_value = std::pair<std::uint32_t, std::uint32_t>;

/// A loop body stage: keeps the smallest value per (epoch, node) in the loop and emits a
/// record only when it improves that value. Per-epoch state is freed once the epoch has left
/// the loop (a notification at `loop_time::end_of_epoch`); `live_epochs` counts the epochs
/// holding state (for tests of state release).
inline stream<node_value> keep_improvements(const stream<node_value>& in, std::size_t instances,
                                            std::shared_ptr<std::atomic<int>> live_epochs) {
  return in.exchange([](const node_value& r) { return r.first; }, instances)
      .unary<node_value>("keep improvements", [live_epochs](operator_setup& setup) {
        setup.drop_initial_capability();
        std::map<timestamp, std::unordered_map<std::uint32_t, std::uint32_t>> best;  // epoch -> node -> value
        return [best, live_epochs](unary_context<node_value, node_value>& ctx) mutable {
          ctx.input.for_each([&](input_batch<node_value>& b) {
            const timestamp epoch = loop_time::unpack(b.time()).epoch;
            auto [it, fresh] = best.try_emplace(epoch);
            if (fresh) {
              live_epochs->fetch_add(1);
              ctx.notify_at(b.retain().delayed(loop_time::end_of_epoch(epoch)));
            }
            const capability cap = b.retain();
            for (const auto& [node, value] : b.records()) {
              auto [slot, inserted] = it->second.try_emplace(node, value);
              if (!inserted && slot->second <= value) continue;
              slot->second = value;
              ctx.output.give(cap, {node, value});
            }
          });
          ctx.for_each_notification([&](capability& cap) {
            best.erase(loop_time::unpack(cap.time()).epoch);
            live_epochs->fetch_sub(1);
          });
        };
      });
}

/// Loops `seeds` (per epoch) through `keep_improvements` and `step`, which maps an improved
/// (node, value) to the proposals for the next round; returns every improvement, outside the
/// loop, at its epoch.
template <class Step>
stream<node_value> propagate_minimum(const stream<node_value>& seeds, std::string name, std::size_t instances, Step step,
                                     std::shared_ptr<std::atomic<int>> live_epochs) {
  return iterate(seeds, std::move(name), [&](const stream<node_value>& variable) {
    auto improved = keep_improvements(variable, instances, live_epochs);
    return std::pair{stream<node_value>(improved.flat_map(step)), improved};
  });
}

/// BFS distances (in edges) from `source`; unreachable nodes are absent.
inline std::map<std::uint32_t, std::uint32_t> bfs_oracle(const adjacency& g, std::uint32_t source) {
  std::map<std::uint32_t, std::uint32_t> dist{{source, 0}};
  std::queue<std::uint32_t> todo;
  todo.push(source);
  while (!todo.empty()) {
    const auto v = todo.front();
    todo.pop();
    for (auto w : g[v])
      if (dist.try_emplace(w, dist[v] + 1).second) todo.push(w);
  }
  return dist;
}

/// The smallest node id of each node's connected component (edges taken as undirected).
inline std::map<std::uint32_t, std::uint32_t> components_oracle(const adjacency& g) {
  std::vector<std::uint32_t> parent(g.size());
  for (std::uint32_t v = 0; v < g.size(); ++v) parent[v] = v;
  auto find = [&](std::uint32_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (std::uint32_t v = 0; v < g.size(); ++v)
    for (auto w : g[v]) {
      const auto a = find(v), b = find(w);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  std::map<std::uint32_t, std::uint32_t> label;
  for (std::uint32_t v = 0; v < g.size(); ++v) label[v] = find(v);
  return label;
}

/// The final value per node of a run's output for one epoch: the minimum of its improvements.
inline std::map<std::uint32_t, std::uint32_t> minimum_per_node(const std::vector<timed<node_value>>& items, timestamp epoch) {
  std::map<std::uint32_t, std::uint32_t> out;
  for (const auto& it : items) {
    if (it.time != epoch) continue;
    auto [slot, inserted] = out.try_emplace(it.record.first, it.record.second);
    if (!inserted) slot->second = std::min(slot->second, it.record.second);
  }
  return out;
}

}  // namespace streamweave::testing
