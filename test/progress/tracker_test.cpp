// progress::tracker<T> (docs/progress-tracking.md §5, §6, §9, §12):
//   a. the worked example of §9, step by step;
//   b. zero-advance cycles are rejected (naming the nodes), advancing cycles accepted;
//   c. property test against a brute-force oracle (§12.2) on seeded random graphs;
//   d. on_change is called exactly for the locations whose frontier changed.
// Replay one random case with STREAMWEAVE_SEED=<seed>.
#include <streamweave/progress/tracker.hpp>

#include "test_util.hpp"
#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

namespace pg = streamweave::progress;
namespace swt = streamweave::test;
namespace sw_seed = streamweave::testing;
using streamweave::timestamp_traits;
using P = streamweave::product<std::uint64_t, std::uint64_t>;
using PS = timestamp_traits<P>::summary;
using pg::location_id;

template <class T>
using edge_list = std::vector<std::pair<typename pg::tracker<T>::port_ref, typename pg::tracker<T>::port_ref>>;

template <class T>
typename pg::tracker<T>::port_ref port(std::size_t node, std::size_t p) {
  return typename pg::tracker<T>::port_ref{node, p};
}

template <class T>
std::vector<std::vector<T>> all_frontiers(const pg::tracker<T>& tr) {
  std::vector<std::vector<T>> out;
  for (location_id l = 0; l < tr.location_count(); ++l) out.push_back(swt::sorted(tr.frontier(l)));
  return out;
}

// =======================================================================================
// a. Worked example (§9): I -> B.in0, B.out -> F.in, F.out -> B.in1, F summary (+0,+1).
// =======================================================================================

class WorkedExample : public ::testing::Test {
 protected:
  static constexpr std::size_t I = 0, B = 1, F = 2;

  WorkedExample() : tr_(make()) {}

  static pg::tracker<P> make() {
    std::vector<pg::node_shape<P>> nodes(3);
    nodes[I] = {"I", 0, 1, {}};
    nodes[B] = {"B", 2, 1, {}};  // identity summaries by default
    nodes[F] = {"F", 1, 1, {{{PS{0, 1}}}}};
    return pg::tracker<P>(std::move(nodes), edge_list<P>{{port<P>(I, 0), port<P>(B, 0)},
                                                         {port<P>(B, 0), port<P>(F, 0)},
                                                         {port<P>(F, 0), port<P>(B, 1)}});
  }

  location_id i_out() const { return tr_.source(I, 0); }
  location_id b_in0() const { return tr_.target(B, 0); }
  location_id b_in1() const { return tr_.target(B, 1); }
  location_id b_out() const { return tr_.source(B, 0); }
  location_id f_in() const { return tr_.target(F, 0); }
  location_id f_out() const { return tr_.source(F, 0); }

  struct expected {
    std::vector<P> i_out, b_in0, b_in1, b_out, f_in, f_out;
  };

  // Applies one progress batch, propagates, and checks every frontier and the set of
  // locations reported through on_change.
  void step(const std::vector<std::tuple<location_id, P, std::int64_t>>& batch, const expected& e, bool has_pointstamps) {
    const auto before = all_frontiers(tr_);
    for (const auto& [l, t, d] : batch) tr_.update(l, t, d);
    std::vector<location_id> called;
    tr_.propagate([&](location_id l) { called.push_back(l); });
    EXPECT_EQ(swt::sorted(tr_.frontier(i_out())), swt::sorted(e.i_out)) << "I.out";
    EXPECT_EQ(swt::sorted(tr_.frontier(b_in0())), swt::sorted(e.b_in0)) << "B.in0";
    EXPECT_EQ(swt::sorted(tr_.frontier(b_in1())), swt::sorted(e.b_in1)) << "B.in1";
    EXPECT_EQ(swt::sorted(tr_.frontier(b_out())), swt::sorted(e.b_out)) << "B.out";
    EXPECT_EQ(swt::sorted(tr_.frontier(f_in())), swt::sorted(e.f_in)) << "F.in";
    EXPECT_EQ(swt::sorted(tr_.frontier(f_out())), swt::sorted(e.f_out)) << "F.out";
    EXPECT_EQ(tr_.has_pointstamps(), has_pointstamps);
    const auto after = all_frontiers(tr_);
    std::vector<location_id> changed;
    for (location_id l = 0; l < tr_.location_count(); ++l)
      if (before[l] != after[l]) changed.push_back(l);
    std::sort(called.begin(), called.end());
    EXPECT_EQ(called, changed) << "on_change must report exactly the changed locations";
  }

  pg::tracker<P> tr_;
};

TEST_F(WorkedExample, FrontiersStepByStep) {
  const std::vector<P> none;
  EXPECT_EQ(tr_.location_count(), 6u);
  EXPECT_FALSE(tr_.has_pointstamps());

  {
    SCOPED_TRACE("step 0: I's initial capability");
    step({{i_out(), P{0, 0}, +1}},
         {.i_out = {P{0, 0}}, .b_in0 = {P{0, 0}}, .b_in1 = {P{0, 1}}, .b_out = {P{0, 0}}, .f_in = {P{0, 0}}, .f_out = {P{0, 1}}},
         true);
  }
  {
    SCOPED_TRACE("step 1: I sends at (0,0) and advances to (1,0)");
    step({{b_in0(), P{0, 0}, +1}, {i_out(), P{0, 0}, -1}, {i_out(), P{1, 0}, +1}},
         {.i_out = {P{1, 0}}, .b_in0 = {P{0, 0}}, .b_in1 = {P{0, 1}}, .b_out = {P{0, 0}}, .f_in = {P{0, 0}}, .f_out = {P{0, 1}}},
         true);
  }
  {
    SCOPED_TRACE("step 2: B consumes and emits to F (temporary capability cancels)");
    step({{b_in0(), P{0, 0}, -1}, {b_out(), P{0, 0}, +1}, {f_in(), P{0, 0}, +1}, {b_out(), P{0, 0}, -1}},
         {.i_out = {P{1, 0}},
          .b_in0 = {P{1, 0}},
          .b_in1 = {P{0, 1}},
          .b_out = {P{0, 1}, P{1, 0}},  // the internal detail noted under the table
          .f_in = {P{0, 0}},
          .f_out = {P{0, 1}}},
         true);
    EXPECT_EQ(swt::sorted(tr_.pointstamp_frontier(f_in())), (std::vector<P>{P{0, 0}}));
    // B may now be notified at (0,0): neither of its input frontiers is <= (0,0).
    streamweave::antichain<P> in0, in1;
    for (const P& t : tr_.frontier(b_in0())) in0.insert(t);
    for (const P& t : tr_.frontier(b_in1())) in1.insert(t);
    EXPECT_FALSE(in0.less_equal(P{0, 0}));
    EXPECT_FALSE(in1.less_equal(P{0, 0}));
  }
  {
    SCOPED_TRACE("step 3: F consumes and re-stamps to (0,1)");
    step({{f_in(), P{0, 0}, -1}, {b_in1(), P{0, 1}, +1}},
         {.i_out = {P{1, 0}},
          .b_in0 = {P{1, 0}},
          .b_in1 = {P{0, 1}},
          .b_out = {P{0, 1}, P{1, 0}},
          .f_in = {P{0, 1}, P{1, 0}},
          .f_out = {P{0, 2}, P{1, 1}}},
         true);
  }
  {
    SCOPED_TRACE("step 4: B consumes (0,1), converges, emits nothing");
    step({{b_in1(), P{0, 1}, -1}},
         {.i_out = {P{1, 0}}, .b_in0 = {P{1, 0}}, .b_in1 = {P{1, 1}}, .b_out = {P{1, 0}}, .f_in = {P{1, 0}}, .f_out = {P{1, 1}}},
         true);
    // The probe on B.out: epoch 0 is finished.
    streamweave::antichain<P> probe;
    for (const P& t : tr_.frontier(b_out())) probe.insert(t);
    EXPECT_FALSE(probe.less_than(P{1, 0}));
  }
  {
    SCOPED_TRACE("step 5: I closes");
    step({{i_out(), P{1, 0}, -1}}, {.i_out = none, .b_in0 = none, .b_in1 = none, .b_out = none, .f_in = none, .f_out = none},
         false);
  }
}

// =======================================================================================
// Brute-force oracle (§12.2) and random graphs.
// =======================================================================================

template <class T>
struct gen;

template <>
struct gen<std::uint64_t> {
  using S = std::uint64_t;
  static std::uint64_t time(swt::rng& r) { return r.below(6); }
  static S summary(swt::rng& r) {
    static constexpr S choices[] = {0, 0, 1, 2, 3};
    return choices[r.below(5)];
  }
  static S positive_summary(swt::rng& r) { return 1 + r.below(2); }
  static std::vector<S> feedback(swt::rng& r) { return {r.chance(0.8) ? S{1} : S{2}}; }
};

template <>
struct gen<P> {
  using S = PS;
  static P time(swt::rng& r) { return P{r.below(3), r.below(3)}; }
  static S summary(swt::rng& r) {
    static constexpr std::uint64_t choices[] = {0, 0, 1, 2};
    return S{choices[r.below(4)], choices[r.below(4)]};
  }
  static S positive_summary(swt::rng& r) { return r.chance(0.5) ? S{0, 1 + r.below(2)} : S{1, r.below(2)}; }
  static std::vector<S> feedback(swt::rng& r) {
    if (r.chance(0.2)) return {S{0, 1}, S{1, 0}};
    return {S{0, 1}};
  }
};

template <class T>
struct graph_spec {
  std::vector<pg::node_shape<T>> nodes;
  edge_list<T> edges;
};

template <class T>
graph_spec<T> random_graph(swt::rng& r, bool structured) {
  using S = typename timestamp_traits<T>::summary;
  graph_spec<T> g;
  const std::size_t n = 1 + r.below(6);
  std::vector<bool> is_feedback(n, false);
  for (std::size_t k = 0; k < n; ++k) {
    pg::node_shape<T> node;
    if (r.chance(0.25)) {
      is_feedback[k] = true;
      node.name = "fb" + std::to_string(k);
      node.inputs = node.outputs = 1;
      node.summaries = {{gen<T>::feedback(r)}};
    } else {
      node.name = "op" + std::to_string(k);
      node.inputs = r.below(4);
      node.outputs = r.below(4);
      if (!r.chance(0.1)) {  // otherwise: empty -> {identity} everywhere by default
        node.summaries.assign(node.inputs, std::vector<std::vector<S>>(node.outputs));
        for (auto& row : node.summaries)
          for (auto& cell : row) {
            const auto x = r.below(100);
            if (x < 15) {
              // "no path": empty antichain
            } else if (x < 55) {
              cell = {timestamp_traits<T>::identity()};
            } else if (x < 70) {
              cell = {gen<T>::positive_summary(r)};
            } else {
              for (auto m = 1 + r.below(3); m > 0; --m) cell.push_back(gen<T>::summary(r));
            }
          }
      }
    }
    g.nodes.push_back(std::move(node));
  }
  std::vector<std::pair<std::size_t, std::size_t>> targets;
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < g.nodes[k].inputs; ++i) targets.emplace_back(k, i);
  if (targets.empty()) return g;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t o = 0; o < g.nodes[a].outputs; ++o)
      for (auto m = r.below(3) + (is_feedback[a] ? 1 : 0); m > 0; --m) {
        std::vector<std::pair<std::size_t, std::size_t>> allowed;
        for (const auto& t : targets) {
          // Structured graphs only close cycles through feedback nodes (which prefer back
          // edges); unstructured graphs connect anything and may contain zero cycles.
          if (!structured || t.first > a || (is_feedback[a] && (t.first <= a || r.chance(0.3)))) allowed.push_back(t);
        }
        if (allowed.empty()) continue;
        const auto [b, i] = allowed[r.below(allowed.size())];
        g.edges.emplace_back(port<T>(a, o), port<T>(b, i));
      }
  return g;
}

/// Brute-force reference, with its own location numbering and no shared code with the
/// tracker: path summaries by DFS with domination, frontiers as minimal elements.
template <class T>
class oracle {
 public:
  using traits = timestamp_traits<T>;
  using S = typename traits::summary;

  explicit oracle(const graph_spec<T>& g) {
    for (std::size_t n = 0; n < g.nodes.size(); ++n) {
      for (std::size_t i = 0; i < g.nodes[n].inputs; ++i) add_location(n, i, false);
      for (std::size_t o = 0; o < g.nodes[n].outputs; ++o) add_location(n, o, true);
    }
    succ_.resize(locs_.size());
    for (const auto& [from, to] : g.edges) succ_[index(from.node, from.port, true)].emplace_back(index(to.node, to.port, false), traits::identity());
    for (std::size_t n = 0; n < g.nodes.size(); ++n) {
      const auto& node = g.nodes[n];
      for (std::size_t i = 0; i < node.inputs; ++i)
        for (std::size_t o = 0; o < node.outputs; ++o) {
          const std::vector<S> cell = node.summaries.empty() ? std::vector<S>{traits::identity()} : node.summaries[i][o];
          for (const S& s : cell) succ_[index(n, i, false)].emplace_back(index(n, o, true), s);
        }
    }
    node_names_.clear();
    for (const auto& node : g.nodes) node_names_.push_back(node.name);
    compute_zero_cycles();
    compute_any_cycle();
    compute_path_summaries();
  }

  std::size_t location_count() const { return locs_.size(); }
  std::size_t index(std::size_t node, std::size_t p, bool is_source) const {
    return loc_index_.at(std::tuple<std::size_t, std::size_t, bool>{node, p, is_source});
  }
  const auto& location(std::size_t l) const { return locs_[l]; }

  bool has_zero_cycle() const { return !zero_cycle_nodes_.empty(); }
  const std::set<std::string>& zero_cycle_nodes() const { return zero_cycle_nodes_; }
  bool has_cycle() const { return has_cycle_; }

  /// counts: per oracle location, time -> count.
  std::vector<T> frontier(std::size_t tau, const std::vector<std::map<T, std::int64_t>>& counts) const {
    std::vector<T> cand;
    for (std::size_t l = 0; l < locs_.size(); ++l)
      for (const auto& [t, c] : counts[l]) {
        if (c <= 0) continue;
        for (const S& s : paths_[l][tau])
          if (auto r = traits::results_in(s, t)) cand.push_back(*r);
      }
    return swt::minimal_elements(std::move(cand));
  }

 private:
  void add_location(std::size_t n, std::size_t p, bool src) {
    loc_index_[{n, p, src}] = locs_.size();
    locs_.push_back({n, p, src});
  }

  // Zero-advance graph: edges plus internal connections whose antichain contains identity.
  // A location lies on a zero cycle iff it can reach itself in >= 1 step.
  void compute_zero_cycles() {
    const std::size_t L = locs_.size();
    std::vector<std::vector<std::size_t>> z(L);
    for (std::size_t l = 0; l < L; ++l)
      for (const auto& [y, s] : succ_[l])
        if (s == traits::identity()) z[l].push_back(y);
    for (std::size_t l = 0; l < L; ++l)
      if (reaches_itself(z, l)) zero_cycle_nodes_.insert(node_names_[locs_[l].node]);
  }
  void compute_any_cycle() {
    std::vector<std::vector<std::size_t>> a(locs_.size());
    for (std::size_t l = 0; l < locs_.size(); ++l)
      for (const auto& [y, s] : succ_[l]) a[l].push_back(y);
    for (std::size_t l = 0; l < locs_.size() && !has_cycle_; ++l) has_cycle_ = reaches_itself(a, l);
  }
  static bool reaches_itself(const std::vector<std::vector<std::size_t>>& adj, std::size_t start) {
    std::vector<bool> seen(adj.size(), false);
    std::vector<std::size_t> stack(adj[start].begin(), adj[start].end());
    while (!stack.empty()) {
      const std::size_t x = stack.back();
      stack.pop_back();
      if (x == start) return true;
      if (seen[x]) continue;
      seen[x] = true;
      for (std::size_t y : adj[x]) stack.push_back(y);
    }
    return false;
  }

  // §12.2: P[l][y] = antichain of summaries of paths l -> y.
  void compute_path_summaries() {
    const std::size_t L = locs_.size();
    paths_.assign(L, std::vector<std::vector<S>>(L));
    for (std::size_t l = 0; l < L; ++l) {
      auto& P_l = paths_[l];
      P_l[l] = {traits::identity()};
      std::vector<std::pair<std::size_t, S>> stack{{l, traits::identity()}};
      while (!stack.empty()) {
        const auto [x, s] = stack.back();
        stack.pop_back();
        for (const auto& [y, e] : succ_[x]) {
          const auto c = traits::followed_by(s, e);
          if (!c) continue;
          auto& py = P_l[y];
          if (std::any_of(py.begin(), py.end(), [&](const S& p) { return traits::summary_less_equal(p, *c); })) continue;
          std::erase_if(py, [&](const S& p) { return traits::summary_less_equal(*c, p); });
          py.push_back(*c);
          stack.emplace_back(y, *c);
        }
      }
    }
  }

  struct loc {
    std::size_t node;
    std::size_t port;
    bool is_source;
  };
  std::vector<loc> locs_;
  std::map<std::tuple<std::size_t, std::size_t, bool>, std::size_t> loc_index_;
  std::vector<std::vector<std::pair<std::size_t, S>>> succ_;
  std::vector<std::vector<std::vector<S>>> paths_;
  std::vector<std::string> node_names_;
  std::set<std::string> zero_cycle_nodes_;
  bool has_cycle_ = false;
};

struct run_stats {
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  std::size_t accepted_cyclic = 0;
  std::size_t comparisons = 0;
  std::size_t transient_negative_batches = 0;
  std::size_t on_change_calls = 0;
};

enum class check { frontiers, on_change };

/// Builds one random graph from `seed` and runs random progress batches through the tracker,
/// comparing with the oracle after every propagate(). Returns false when the graph was
/// (correctly) rejected at build time.
template <class T>
bool run_random_case(std::uint64_t seed, check what, run_stats& stats) {
  SCOPED_TRACE(sw_seed::seed_note(seed));
  swt::rng r(seed);
  const bool structured = r.chance(0.7);
  const graph_spec<T> g = random_graph<T>(r, structured);
  const oracle<T> orc(g);

  std::optional<pg::tracker<T>> built;
  try {
    built.emplace(g.nodes, g.edges);
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(orc.has_zero_cycle()) << "rejected a graph without zero-advance cycle: " << e.what();
    const std::string msg = e.what();
    for (const auto& name : orc.zero_cycle_nodes()) EXPECT_NE(msg.find("'" + name + "'"), std::string::npos) << msg;
    ++stats.rejected;
    return false;
  }
  EXPECT_FALSE(orc.has_zero_cycle()) << "accepted a graph with a zero-advance cycle";
  if (orc.has_zero_cycle()) return false;
  ++stats.accepted;
  stats.accepted_cyclic += orc.has_cycle();
  pg::tracker<T>& tr = *built;

  const std::size_t L = orc.location_count();
  EXPECT_EQ(tr.location_count(), L);
  if (tr.location_count() != L) return true;
  std::vector<location_id> to_tracker(L);
  for (std::size_t l = 0; l < L; ++l) {
    const auto& x = orc.location(l);
    to_tracker[l] = x.is_source ? tr.source(x.node, x.port) : tr.target(x.node, x.port);
    EXPECT_EQ(tr.is_target(to_tracker[l]), !x.is_source);
    EXPECT_EQ(tr.node_of(to_tracker[l]), x.node);
    EXPECT_EQ(tr.port_of(to_tracker[l]), x.port);
  }
  if (L == 0) return true;

  std::vector<std::map<T, std::int64_t>> counts(L);  // true counts, oracle numbering
  const int batches = 12 + static_cast<int>(r.below(8));
  for (int b = 0; b < batches; ++b) {
    SCOPED_TRACE("batch " + std::to_string(b));
    std::vector<std::tuple<std::size_t, T, std::int64_t>> batch;
    auto net = counts;
    auto positives = [&] {
      std::vector<std::pair<std::size_t, T>> v;
      for (std::size_t l = 0; l < L; ++l)
        for (const auto& [t, c] : net[l])
          if (c > 0) v.emplace_back(l, t);
      return v;
    };
    const auto kind = r.below(100);
    if (kind < 8) {
      // Drain everything: the dataflow completes.
      for (const auto& [l, t] : positives()) {
        batch.emplace_back(l, t, -net[l][t]);
        net[l][t] = 0;
      }
    } else if (kind < 12) {
      // Empty batch: nothing may change.
    } else {
      for (auto n = 1 + r.below(6); n > 0; --n) {
        const auto pos = positives();
        const auto x = r.below(100);
        if (x < 40 || pos.empty()) {
          const std::size_t l = r.below(L);
          const T t = gen<T>::time(r);
          const std::int64_t d = r.between(1, 3);
          batch.emplace_back(l, t, d);
          net[l][t] += d;
        } else if (x < 80) {
          const auto [l, t] = pos[r.below(pos.size())];
          const std::int64_t d = r.between(1, net[l][t]);
          batch.emplace_back(l, t, -d);
          net[l][t] -= d;
        } else if (x < 92) {
          // Move a pointstamp: drop one and add one later in time or elsewhere.
          const auto [l, t] = pos[r.below(pos.size())];
          batch.emplace_back(l, t, -1);
          net[l][t] -= 1;
          const std::size_t l2 = r.chance(0.5) ? l : r.below(L);
          const T t2 = gen<T>::time(r);
          batch.emplace_back(l2, t2, +1);
          net[l2][t2] += 1;
        } else {
          const std::size_t l = r.below(L);
          const T t = gen<T>::time(r);
          batch.emplace_back(l, t, +1);
          batch.emplace_back(l, t, -1);
        }
      }
    }
    r.shuffle(batch);
    {
      auto run = counts;
      bool neg = false;
      for (const auto& [l, t, d] : batch) neg |= (run[l][t] += d) < 0;
      stats.transient_negative_batches += neg;
    }

    const auto before = all_frontiers(tr);
    for (const auto& [l, t, d] : batch) tr.update(to_tracker[l], t, d);
    std::vector<location_id> called;
    tr.propagate([&](location_id l) { called.push_back(l); });
    counts = net;

    if (what == check::frontiers) {
      bool any_positive = false;
      for (std::size_t l = 0; l < L; ++l) {
        std::vector<T> pos;
        for (const auto& [t, c] : counts[l])
          if (c > 0) pos.push_back(t);
        any_positive |= !pos.empty();
        const location_id tl = to_tracker[l];
        EXPECT_EQ(swt::sorted(tr.frontier(tl)), orc.frontier(l, counts))
            << "frontier at location " << tl << " (node '" << tr.node_name(tr.node_of(tl)) << "' "
            << (tr.is_target(tl) ? "input " : "output ") << tr.port_of(tl) << ")";
        EXPECT_EQ(swt::sorted(tr.pointstamp_frontier(tl)), swt::minimal_elements(pos)) << "pointstamps at " << tl;
        ++stats.comparisons;
      }
      EXPECT_EQ(tr.has_pointstamps(), any_positive);
    } else {
      const auto after = all_frontiers(tr);
      std::vector<location_id> changed;
      for (location_id l = 0; l < tr.location_count(); ++l)
        if (before[l] != after[l]) changed.push_back(l);
      std::vector<location_id> sorted_called = called;
      std::sort(sorted_called.begin(), sorted_called.end());
      EXPECT_TRUE(std::adjacent_find(sorted_called.begin(), sorted_called.end()) == sorted_called.end())
          << "on_change called twice for one location";
      sorted_called.erase(std::unique(sorted_called.begin(), sorted_called.end()), sorted_called.end());
      EXPECT_EQ(sorted_called, changed) << "on_change locations vs locations whose frontier changed";
      stats.on_change_calls += called.size();
    }
    if (::testing::Test::HasFailure()) return true;
  }
  return true;
}

template <class T>
run_stats run_many(std::uint64_t base, std::size_t accepted_graphs, check what) {
  run_stats stats;
  if (sw_seed::replaying()) {
    run_random_case<T>(sw_seed::seeds(0, 0).front(), what, stats);
    return stats;
  }
  for (std::uint64_t seed = base; stats.accepted < accepted_graphs; ++seed) {
    run_random_case<T>(seed, what, stats);
    if (::testing::Test::HasFailure()) break;
  }
  return stats;
}

/// The random graphs must have covered what the oracle comparison is meant to exercise.
template <class Stats>
void expect_oracle_coverage(const Stats& s, const char* label) {
  EXPECT_GE(s.accepted, 300u);
  EXPECT_GE(s.accepted_cyclic, 30u) << "too few accepted graphs with (advancing) cycles";
  EXPECT_GE(s.rejected, 10u) << "too few zero-cycle graphs to exercise rejection";
  EXPECT_GE(s.transient_negative_batches, 100u);
  std::cout << "[" << label << "] accepted=" << s.accepted << " cyclic=" << s.accepted_cyclic << " rejected=" << s.rejected
            << " comparisons=" << s.comparisons << " transient-negative batches=" << s.transient_negative_batches << "\n";
}

TEST(TrackerOracle, RandomGraphsU64MatchOracle) {
  const auto s = run_many<std::uint64_t>(10'000, 300, check::frontiers);
  if (sw_seed::replaying() || HasFailure()) return;
  expect_oracle_coverage(s, "u64");
}

TEST(TrackerOracle, RandomGraphsProductMatchOracle) {
  const auto s = run_many<P>(20'000, 300, check::frontiers);
  if (sw_seed::replaying() || HasFailure()) return;
  expect_oracle_coverage(s, "product");
}

// =======================================================================================
// d. on_change reports exactly the locations whose frontier changed.
// =======================================================================================

TEST(TrackerOnChange, RandomGraphsU64ReportExactlyChangedLocations) {
  const auto s = run_many<std::uint64_t>(30'000, 200, check::on_change);
  if (!sw_seed::replaying() && !HasFailure()) { EXPECT_GT(s.on_change_calls, 0u); }
}

TEST(TrackerOnChange, RandomGraphsProductReportExactlyChangedLocations) {
  const auto s = run_many<P>(40'000, 200, check::on_change);
  if (!sw_seed::replaying() && !HasFailure()) { EXPECT_GT(s.on_change_calls, 0u); }
}

TEST(TrackerOnChange, NoCallsWithoutUpdatesOrForChurnAboveTheFrontier) {
  std::vector<pg::node_shape<std::uint64_t>> nodes{{"src", 0, 1, {}}, {"dst", 1, 0, {}}};
  pg::tracker<std::uint64_t> tr(std::move(nodes), edge_list<std::uint64_t>{{port<std::uint64_t>(0, 0), port<std::uint64_t>(1, 0)}});
  std::vector<location_id> called;
  auto rec = [&](location_id l) { called.push_back(l); };
  tr.update(tr.source(0, 0), 3, +1);
  tr.propagate(rec);
  std::sort(called.begin(), called.end());
  EXPECT_EQ(called, swt::sorted(std::vector<location_id>{tr.target(1, 0), tr.source(0, 0)}));
  called.clear();
  tr.propagate(rec);
  EXPECT_TRUE(called.empty());
  tr.update(tr.target(1, 0), 5, +1);  // a message above the frontier
  tr.update(tr.source(0, 0), 4, +1);
  tr.propagate(rec);
  EXPECT_TRUE(called.empty());
  tr.update(tr.source(0, 0), 3, -1);  // frontier 3 -> 4 at both locations
  tr.propagate(rec);
  std::sort(called.begin(), called.end());
  EXPECT_EQ(called, swt::sorted(std::vector<location_id>{tr.target(1, 0), tr.source(0, 0)}));
}

// A location whose frontier drops an element and regains it within one propagate() has not
// changed, so it must not be reported. Here B.in (the lowest location id) loses its own
// pointstamp at 0 and regains 0 through the upstream capability A.out, which moves from 5
// down to 0 in the same batch (allowed by the tracker's contract: any batch that leaves
// counts non-negative).
TEST(TrackerOnChange, TransientFrontierChangeIsNotReported) {
  std::vector<pg::node_shape<std::uint64_t>> nodes{{"B", 1, 0, {}}, {"A", 0, 1, {}}};
  pg::tracker<std::uint64_t> tr(std::move(nodes), edge_list<std::uint64_t>{{port<std::uint64_t>(1, 0), port<std::uint64_t>(0, 0)}});
  const location_id b_in = tr.target(0, 0), a_out = tr.source(1, 0);
  tr.update(b_in, 0, +1);
  tr.update(a_out, 5, +1);
  tr.propagate();
  ASSERT_EQ(tr.frontier(b_in), std::vector<std::uint64_t>{0});
  ASSERT_EQ(tr.frontier(a_out), std::vector<std::uint64_t>{5});

  tr.update(b_in, 0, -1);
  tr.update(a_out, 5, -1);
  tr.update(a_out, 0, +1);
  std::vector<location_id> called;
  tr.propagate([&](location_id l) { called.push_back(l); });
  EXPECT_EQ(tr.frontier(b_in), std::vector<std::uint64_t>{0});  // unchanged
  EXPECT_EQ(tr.frontier(a_out), std::vector<std::uint64_t>{0});
  EXPECT_EQ(called, std::vector<location_id>{a_out}) << "B.in's frontier is {0} before and after";
}

// =======================================================================================
// b. Build-time cycle check.
// =======================================================================================

template <class T>
std::string build_error(std::vector<pg::node_shape<T>> nodes, const edge_list<T>& edges) {
  try {
    pg::tracker<T> tr(std::move(nodes), edges);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

TEST(TrackerCycles, ZeroAdvanceCycleIsRejectedNamingItsNodes) {
  using T = std::uint64_t;
  // src -> alpha -> beta -> alpha (identity summaries), beta -> sink.
  std::vector<pg::node_shape<T>> nodes{{"src", 0, 1, {}}, {"alpha", 2, 1, {}}, {"beta", 1, 2, {}}, {"sink", 1, 0, {}}};
  const auto msg = build_error<T>(nodes, {{port<T>(0, 0), port<T>(1, 0)},
                                          {port<T>(1, 0), port<T>(2, 0)},
                                          {port<T>(2, 0), port<T>(1, 1)},
                                          {port<T>(2, 1), port<T>(3, 0)}});
  ASSERT_FALSE(msg.empty()) << "zero-advance cycle was accepted";
  EXPECT_NE(msg.find("'alpha'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'beta'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("'src'"), std::string::npos) << msg;
}

// The header documents "naming the nodes on it"; a node merely downstream of the cycle is
// not on it and should not be named.
TEST(TrackerCycles, ZeroAdvanceCycleMessageDoesNotNameDownstreamNodes) {
  using T = std::uint64_t;
  std::vector<pg::node_shape<T>> nodes{{"src", 0, 1, {}}, {"alpha", 2, 1, {}}, {"beta", 1, 2, {}}, {"sink", 1, 0, {}}};
  const auto msg = build_error<T>(nodes, {{port<T>(0, 0), port<T>(1, 0)},
                                          {port<T>(1, 0), port<T>(2, 0)},
                                          {port<T>(2, 0), port<T>(1, 1)},
                                          {port<T>(2, 1), port<T>(3, 0)}});
  ASSERT_FALSE(msg.empty());
  EXPECT_EQ(msg.find("'sink'"), std::string::npos) << msg;
}

TEST(TrackerCycles, SelfLoopWithIdentityIsRejected) {
  using T = P;
  std::vector<pg::node_shape<T>> nodes{{"selfie", 1, 1, {}}};
  const auto msg = build_error<T>(nodes, {{port<T>(0, 0), port<T>(0, 0)}});
  EXPECT_NE(msg.find("'selfie'"), std::string::npos) << msg;
}

TEST(TrackerCycles, AntichainContainingIdentityClosesZeroCycle) {
  using T = P;
  std::vector<pg::node_shape<T>> nodes{{"mixed", 1, 1, {{{PS{0, 1}, PS{0, 0}}}}}};
  const auto msg = build_error<T>(nodes, {{port<T>(0, 0), port<T>(0, 0)}});
  EXPECT_NE(msg.find("'mixed'"), std::string::npos) << msg;
}

TEST(TrackerCycles, CycleThroughFeedbackIsAcceptedAndConverges) {
  using T = std::uint64_t;
  // src -> body.in0, body.out -> fb.in, fb.out (+1) -> body.in1
  std::vector<pg::node_shape<T>> nodes{{"src", 0, 1, {}}, {"body", 2, 1, {}}, {"fb", 1, 1, {{{1}}}}};
  const edge_list<T> edges{{port<T>(0, 0), port<T>(1, 0)}, {port<T>(1, 0), port<T>(2, 0)}, {port<T>(2, 0), port<T>(1, 1)}};
  ASSERT_EQ(build_error<T>(nodes, edges), "");
  pg::tracker<T> tr(nodes, edges);
  tr.update(tr.source(0, 0), 4, 1);
  tr.propagate();
  EXPECT_EQ(tr.frontier(tr.target(1, 0)), std::vector<T>{4});
  EXPECT_EQ(tr.frontier(tr.target(2, 0)), std::vector<T>{4});
  EXPECT_EQ(tr.frontier(tr.target(1, 1)), std::vector<T>{5});
  tr.update(tr.target(1, 1), 7, 1);  // a message in the loop
  tr.update(tr.source(0, 0), 4, -1);
  tr.propagate();
  EXPECT_EQ(tr.frontier(tr.target(1, 0)), std::vector<T>{});
  EXPECT_EQ(tr.frontier(tr.target(1, 1)), std::vector<T>{7});
  EXPECT_EQ(tr.frontier(tr.target(2, 0)), std::vector<T>{7});
  tr.update(tr.target(1, 1), 7, -1);
  tr.propagate();
  EXPECT_FALSE(tr.has_pointstamps());
  for (location_id l = 0; l < tr.location_count(); ++l) EXPECT_TRUE(tr.frontier(l).empty());
}

TEST(TrackerCycles, CycleThroughProductSummariesIsAccepted) {
  using T = P;
  // Loop through +(0,1) and a separate self-loop advancing only the outer coordinate.
  std::vector<pg::node_shape<T>> nodes{{"a", 1, 1, {}}, {"fb", 1, 1, {{{PS{0, 1}}}}}, {"outer", 1, 1, {{{PS{1, 0}}}}}};
  const edge_list<T> edges{{port<T>(0, 0), port<T>(1, 0)}, {port<T>(1, 0), port<T>(0, 0)}, {port<T>(2, 0), port<T>(2, 0)}};
  ASSERT_EQ(build_error<T>(nodes, edges), "");
  pg::tracker<T> tr(nodes, edges);
  tr.update(tr.target(0, 0), P{0, 0}, 1);
  tr.update(tr.target(2, 0), P{2, 2}, 1);
  tr.propagate();
  EXPECT_EQ(tr.frontier(tr.target(1, 0)), (std::vector<P>{P{0, 0}}));
  EXPECT_EQ(tr.frontier(tr.source(1, 0)), (std::vector<P>{P{0, 1}}));
  EXPECT_EQ(tr.frontier(tr.source(2, 0)), (std::vector<P>{P{3, 2}}));
}

TEST(TrackerCycles, NoPathSummaryBreaksTheCycle) {
  using T = std::uint64_t;
  // The cycle a.out -> a.in exists only through an empty ("no path") antichain.
  std::vector<pg::node_shape<T>> nodes{{"a", 1, 1, {{{}}}}};
  const edge_list<T> edges{{port<T>(0, 0), port<T>(0, 0)}};
  ASSERT_EQ(build_error<T>(nodes, edges), "");
  pg::tracker<T> tr(nodes, edges);
  tr.update(tr.target(0, 0), 1, 1);
  tr.propagate();
  EXPECT_EQ(tr.frontier(tr.target(0, 0)), std::vector<T>{1});
  EXPECT_TRUE(tr.frontier(tr.source(0, 0)).empty());
}

TEST(TrackerBuild, MalformedShapesAndEdgesAreRejected) {
  using T = std::uint64_t;
  EXPECT_THROW((pg::tracker<T>({{"x", 2, 1, {{{0}}}}}, {})), std::invalid_argument);       // 1 row for 2 inputs
  EXPECT_THROW((pg::tracker<T>({{"x", 1, 2, {{{0}}}}}, {})), std::invalid_argument);       // 1 column for 2 outputs
  EXPECT_THROW((pg::tracker<T>({{"x", 1, 1, {}}}, {{port<T>(0, 1), port<T>(0, 0)}})), std::invalid_argument);  // no output 1
  EXPECT_THROW((pg::tracker<T>({{"x", 1, 1, {}}}, {{port<T>(0, 0), port<T>(1, 0)}})), std::invalid_argument);  // no node 1
}

}  // namespace
