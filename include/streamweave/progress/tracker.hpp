#pragma once
/// \file
/// `progress::tracker<T>`: the central progress tracker (pointstamp counts -> frontiers).
///
/// The tracker sees the dataflow as *locations*: every operator input port is a *target* and
/// every output port a *source*. Pointstamps `(location, time)` are counted: a batch in flight
/// is counted at its target, a capability at its source. Each node declares, for every
/// (input, output) pair, an antichain of path summaries (empty = input never causes output).
/// The tracker derives, for every location, the *implication frontier*: the minimal times
/// that could still appear there, through any path, from any positive pointstamp.
///
/// Algorithm: the incremental propagation of docs/architecture.md [progress.propagate]
/// (Timely Dataflow's reachability tracker). Count changes are filtered through a
/// `mutable_antichain` per location, so only discrete frontier changes are propagated, in
/// increasing time order through a worklist.
///
/// Build-time check: a cycle whose summaries do not advance time is rejected with
/// `std::invalid_argument` naming the nodes on it, because its implication counts would hold
/// every downstream frontier forever.
///
/// Thread safety: none. The runtime gives the tracker one owner at a time (a combining
/// runner); see `progress_hub::run_tracker` in lib/progress/progress_hub.cpp.
#include <streamweave/progress/antichain.hpp>
#include <streamweave/progress/change_batch.hpp>
#include <streamweave/progress/location.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace streamweave::progress {

/// Description of one node for `tracker_builder`.
template <class T>
struct node_shape {
  using summary = typename timestamp_traits<T>::summary;
  std::string name;
  std::size_t inputs = 0;
  std::size_t outputs = 0;
  /// summaries[input][output]: antichain of path summaries; missing entries default to
  /// `{identity}` for every pair (an ordinary operator).
  std::vector<std::vector<std::vector<summary>>> summaries;
};

template <class T>
class tracker {
 public:
  using traits = timestamp_traits<T>;
  using summary = typename traits::summary;
  using change = std::pair<T, std::int64_t>;

  struct port_ref {
    std::size_t node;
    std::size_t port;
  };

  /// Builds the tracker. `edges` connect (node, output) to (node, input).
  tracker(std::vector<node_shape<T>> nodes, const std::vector<std::pair<port_ref, port_ref>>& edges)
      : nodes_(std::move(nodes)) {
    location_id next = 0;
    for (auto& n : nodes_) {
      target_base_.push_back(next);
      next += static_cast<location_id>(n.inputs);
      source_base_.push_back(next);
      next += static_cast<location_id>(n.outputs);
      if (n.summaries.empty()) {
        n.summaries.assign(n.inputs, std::vector<std::vector<summary>>(n.outputs, std::vector<summary>{traits::identity()}));
      }
      if (n.summaries.size() != n.inputs) throw std::invalid_argument("progress tracker: node '" + n.name + "' has summaries for the wrong number of inputs");
      for (auto& row : n.summaries)
        if (row.size() != n.outputs) throw std::invalid_argument("progress tracker: node '" + n.name + "' has summaries for the wrong number of outputs");
    }
    locations_.resize(next);
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
      for (std::size_t i = 0; i < nodes_[n].inputs; ++i) locations_[target(n, i)] = location_state{n, i, false};
      for (std::size_t o = 0; o < nodes_[n].outputs; ++o) locations_[source(n, o)] = location_state{n, o, true};
    }
    for (const auto& [from, to] : edges) {
      if (from.node >= nodes_.size() || from.port >= nodes_[from.node].outputs || to.node >= nodes_.size() ||
          to.port >= nodes_[to.node].inputs)
        throw std::invalid_argument("progress tracker: edge refers to a missing port");
      locations_[source(from.node, from.port)].edge_targets.push_back(target(to.node, to.port));
    }
    reject_zero_advance_cycles();
  }

  location_id target(std::size_t node, std::size_t input) const { return target_base_[node] + static_cast<location_id>(input); }
  location_id source(std::size_t node, std::size_t output) const { return source_base_[node] + static_cast<location_id>(output); }
  std::size_t location_count() const noexcept { return locations_.size(); }
  bool is_target(location_id l) const { return !locations_[l].is_source; }
  std::size_t node_of(location_id l) const { return locations_[l].node; }
  std::size_t port_of(location_id l) const { return locations_[l].port; }

  /// Records a pointstamp count change. Nothing is visible until `propagate()`.
  void update(location_id loc, const T& time, std::int64_t delta) { pending_.update({loc, time}, delta); }

  /// Applies all recorded updates and propagates implications. `on_change(location)` is called
  /// once for every location (source or target) whose implication frontier changed.
  template <class OnChange>
  void propagate(OnChange&& on_change) {
    // Phase 1: count changes -> frontier changes of the pointstamps at each location.
    const auto& updates = pending_.view();
    for (std::size_t i = 0; i < updates.size();) {
      const location_id loc = updates[i].first.first;
      scratch_updates_.clear();
      for (; i < updates.size() && updates[i].first.first == loc; ++i)
        scratch_updates_.emplace_back(updates[i].first.second, updates[i].second);
      auto& state = locations_[loc];
      const bool was_empty = state.pointstamps.frontier_empty();
      scratch_changes_.clear();
      state.pointstamps.update(scratch_updates_, scratch_changes_);
      for (const auto& [t, d] : scratch_changes_) worklist_.push(work_item{t, loc, d});
      const bool now_empty = state.pointstamps.frontier_empty();
      if (was_empty && !now_empty) ++occupied_locations_;
      if (!was_empty && now_empty) --occupied_locations_;
    }
    pending_.clear();

    // Phase 2: flood implication changes in increasing (time, location) order.
    while (!worklist_.empty()) {
      work_item item = worklist_.top();
      worklist_.pop();
      while (!worklist_.empty() && worklist_.top().time == item.time && worklist_.top().loc == item.loc) {
        item.delta += worklist_.top().delta;
        worklist_.pop();
      }
      if (item.delta == 0) continue;
      auto& state = locations_[item.loc];
      scratch_changes_.clear();
      state.implications.update_one(item.time, item.delta, scratch_changes_);
      if (scratch_changes_.empty()) continue;
      if (!state.changed) {
        state.changed = true;
        changed_targets_.push_back(item.loc);
      }
      // Net change over the whole call: a change undone later in the same call is not reported.
      for (const auto& [t2, d2] : scratch_changes_) state.net_changes.update(t2, d2);
      for (const auto& [t2, d2] : scratch_changes_) {
        if (state.is_source) {
          for (location_id tgt : state.edge_targets) worklist_.push(work_item{t2, tgt, d2});
        } else {
          const auto& node = nodes_[state.node];
          for (std::size_t o = 0; o < node.outputs; ++o)
            for (const summary& s : node.summaries[state.port][o])
              if (auto t3 = traits::results_in(s, t2)) worklist_.push(work_item{*t3, source(state.node, o), d2});
        }
      }
    }
    for (location_id l : changed_targets_) {
      auto& state = locations_[l];
      state.changed = false;
      const bool moved = !state.net_changes.empty();
      state.net_changes.clear();
      if (moved) on_change(l);
    }
    changed_targets_.clear();
  }

  void propagate() {
    propagate([](location_id) {});
  }

  /// The implication frontier at a location: the earliest times that could still appear there.
  const std::vector<T>& frontier(location_id loc) const { return locations_[loc].implications.frontier(); }
  /// The frontier of the pointstamps counted *at* a location (ignoring upstream).
  const std::vector<T>& pointstamp_frontier(location_id loc) const { return locations_[loc].pointstamps.frontier(); }

  /// True when some location still has a positive pointstamp count (after the last
  /// `propagate()`). When false, every frontier is empty: the dataflow is complete.
  bool has_pointstamps() const noexcept { return occupied_locations_ > 0; }

  /// True when some location holds a negative pointstamp count. Between propagations a count
  /// may be negative (a consumption applied before its production); once a dataflow has no
  /// positive count left, none may be: a negative count then means a lost `+1`, and a frontier
  /// that passed a time too early. Linear in the number of counts.
  bool has_negative_counts() {
    for (auto& state : locations_)
      for (const auto& [t, c] : state.pointstamps.counts())
        if (c < 0) return true;
    return false;
  }

  const std::string& node_name(std::size_t node) const { return nodes_[node].name; }

 private:
  struct location_state {
    location_state() = default;
    location_state(std::size_t n, std::size_t p, bool src) : node(n), port(p), is_source(src) {}
    std::size_t node = 0;
    std::size_t port = 0;
    bool is_source = false;
    bool changed = false;
    change_batch<T> net_changes;            // frontier changes during the current propagate()
    std::vector<location_id> edge_targets;  // sources only
    mutable_antichain<T> pointstamps;
    mutable_antichain<T> implications;
  };

  struct work_item {
    T time;
    location_id loc;
    std::int64_t delta;
    // std::priority_queue is a max-heap: invert to pop the smallest (time, location) first.
    friend bool operator<(const work_item& a, const work_item& b) {
      if (a.time < b.time) return false;
      if (b.time < a.time) return true;
      return a.loc > b.loc;
    }
  };

  struct pending_key {
    location_id first;
    T second;
    friend bool operator<(const pending_key& a, const pending_key& b) {
      return std::tie(a.first, a.second) < std::tie(b.first, b.second);
    }
  };

  /// Kahn's algorithm over locations, using edges plus the internal connections whose
  /// summary does not advance time. Anything left over lies on a zero-advance cycle.
  void reject_zero_advance_cycles() const {
    const std::size_t n = locations_.size();
    std::vector<std::vector<location_id>> succ(n);
    for (location_id l = 0; l < n; ++l) {
      const auto& st = locations_[l];
      if (st.is_source) {
        succ[l] = st.edge_targets;
      } else {
        const auto& node = nodes_[st.node];
        for (std::size_t o = 0; o < node.outputs; ++o)
          for (const summary& s : node.summaries[st.port][o])
            if (traits::summary_less_equal(s, traits::identity())) {
              succ[l].push_back(source(st.node, o));
              break;
            }
      }
    }
    std::vector<std::size_t> indegree(n, 0);
    for (const auto& out : succ)
      for (location_id s : out) ++indegree[s];
    std::vector<location_id> ready;
    for (location_id l = 0; l < n; ++l)
      if (indegree[l] == 0) ready.push_back(l);
    std::size_t seen = 0;
    while (!ready.empty()) {
      location_id l = ready.back();
      ready.pop_back();
      ++seen;
      for (location_id s : succ[l])
        if (--indegree[s] == 0) ready.push_back(s);
    }
    if (seen == n) return;
    // What is left lies on a cycle or downstream of one. Peel the downstream part in reverse:
    // a leftover location none of whose successors is left over is not on a cycle.
    std::vector<bool> left(n, false);
    for (location_id l = 0; l < n; ++l) left[l] = indegree[l] > 0;
    for (bool peeled = true; peeled;) {
      peeled = false;
      for (location_id l = 0; l < n; ++l) {
        if (!left[l]) continue;
        const bool has_left_successor = std::any_of(succ[l].begin(), succ[l].end(), [&](location_id s) { return left[s]; });
        if (!has_left_successor) {
          left[l] = false;
          peeled = true;
        }
      }
    }
    std::string names;
    std::vector<bool> named(nodes_.size(), false);
    for (location_id l = 0; l < n; ++l) {
      if (!left[l] || named[locations_[l].node]) continue;
      named[locations_[l].node] = true;
      if (!names.empty()) names += ", ";
      names += "'" + nodes_[locations_[l].node].name + "'";
    }
    throw std::invalid_argument("progress tracker: cycle through " + names +
                                " does not advance time; every cycle needs a summary that increments the timestamp");
  }

  std::vector<node_shape<T>> nodes_;
  std::vector<location_id> target_base_;
  std::vector<location_id> source_base_;
  std::vector<location_state> locations_;
  change_batch<pending_key> pending_;
  std::priority_queue<work_item> worklist_;
  std::vector<location_id> changed_targets_;
  std::vector<change> scratch_updates_;
  std::vector<change> scratch_changes_;
  std::size_t occupied_locations_ = 0;
};

}  // namespace streamweave::progress
