// Deterministic mode gives byte-identical sink output, in the same order, run after run, while
// the threads feeding the inputs send with random timing. Every run's output is also checked
// against a sequential oracle (per-time multisets), so an empty or wrong output cannot pass.
#include <streamweave/streamweave.hpp>

#include "determinism/order_sensitive.hpp"
#include "determinism/replay.hpp"
#include "iterate/loop_algorithms.hpp"
#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace sw = streamweave;

namespace {

using value = std::uint64_t;
using items = std::vector<sw::timed<value>>;
using multisets = std::map<sw::timestamp, std::vector<value>>;

value mix(value v) { return (v * 2654435761ULL + 7) & 0xffffffffULL; }

/// The calls made on one input: per epoch the records, and after which records to flush.
struct input_script {
  std::vector<std::vector<value>> epochs;
  std::vector<std::vector<bool>> flush_after;
};

input_script make_script(std::uint64_t seed, value tag) {
  std::mt19937_64 rng(seed);
  input_script s;
  const std::size_t epochs = 3 + rng() % 4;
  for (std::size_t e = 0; e < epochs; ++e) {
    std::vector<value> records(rng() % 60);
    std::vector<bool> flush(records.size());
    for (std::size_t k = 0; k < records.size(); ++k) {
      records[k] = (rng() & 0xffff) | tag;
      flush[k] = rng() % 11 == 0;
    }
    s.epochs.push_back(std::move(records));
    s.flush_after.push_back(std::move(flush));
  }
  return s;
}

void feed(sw::input_handle<value> h, const input_script& s, std::uint64_t timing_seed) {
  sw::testing::jitter pause(timing_seed);
  for (std::size_t e = 0; e < s.epochs.size(); ++e) {
    for (std::size_t k = 0; k < s.epochs[e].size(); ++k) {
      h.send(s.epochs[e][k]);
      if (s.flush_after[e][k]) h.flush();
      pause();
    }
    h.advance_to(e + 1);
    pause();
  }
  h.close();
}

/// What each sink of a graph should receive, per time, given the records each input sends.
using oracle = std::function<std::vector<multisets>(const std::vector<input_script>&)>;
/// Builds a graph on the given input streams; returns its sinks.
using builder = std::function<std::vector<sw::collection<value>>(std::vector<sw::stream<value>>&)>;

sw::runtime_options deterministic_options() {
  sw::runtime_options o;
  o.deterministic = true;
  o.threads = 4;  // ignored in deterministic mode
  o.batch_size = 5;
  o.queue_capacity = 2;
  o.activation_budget = 3;
  return o;
}

std::vector<items> run_once(const builder& build, const std::vector<input_script>& scripts, std::uint64_t timing_seed) {
  sw::runtime rt(deterministic_options());
  sw::graph g("determinism");
  std::vector<sw::input_handle<value>> handles;
  std::vector<sw::stream<value>> streams;
  for (std::size_t i = 0; i < scripts.size(); ++i) {
    auto [h, s] = g.input<value>("in" + std::to_string(i));
    handles.push_back(h);
    streams.push_back(s);
  }
  auto sinks = build(streams);
  auto ex = rt.run(g);
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < scripts.size(); ++i)
    senders.emplace_back(feed, handles[i], std::cref(scripts[i]), timing_seed * 31 + i);
  handles.clear();
  for (auto& t : senders) t.join();
  ex.wait();
  std::vector<items> out;
  for (const auto& c : sinks) out.push_back(c.items());
  return out;
}

void expect_identical_runs(const builder& build, const oracle& expected, std::size_t n_inputs, std::uint64_t base) {
  for (std::size_t k = 0; k < sw::testing::runs(3); ++k) {
    const std::uint64_t seed = sw::testing::seed_for(k, base);
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::vector<input_script> scripts;
    for (std::size_t i = 0; i < n_inputs; ++i) scripts.push_back(make_script(seed * 7 + i, value{i} << 40));
    const auto want = expected(scripts);
    std::vector<items> first;
    for (std::size_t r = 0; r < 20; ++r) {
      auto got = run_once(build, scripts, seed * 1000 + r);
      ASSERT_EQ(got.size(), want.size());
      for (std::size_t s = 0; s < got.size(); ++s)
        ASSERT_EQ(sw::testing::per_time_multisets(got[s]), want[s]) << "sink " << s << " differs from the oracle";
      if (r == 0) {
        first = std::move(got);
        continue;
      }
      for (std::size_t s = 0; s < got.size(); ++s)
        ASSERT_TRUE(got[s] == first[s]) << "run " << r << ": sink " << s << " received another sequence";
    }
  }
}

/// Per time: f applied to every record an input sent (f returns the records it makes).
template <class F>
void add_mapped(multisets& m, const input_script& s, F f) {
  for (std::size_t e = 0; e < s.epochs.size(); ++e)
    for (value v : s.epochs[e])
      for (value o : f(v)) m[e].push_back(o);
}

std::vector<multisets> sorted_all(std::vector<multisets> v) {
  for (auto& m : v)
    for (auto& [t, recs] : m) std::sort(recs.begin(), recs.end());
  return v;
}

}  // namespace

TEST(DeterministicOutput, FanOutAndConcatMerge) {
  builder build = [](std::vector<sw::stream<value>>& in) {
    auto a = in[0].exchange([](value v) { return v; }, 3).map([](value v) { return 2 * v + 1; }, "odd");
    auto b = in[0].filter([](value v) { return v % 3 == 0; }, "thirds");
    auto c = in[0].exchange([](value v) { return v / 7; }, 2).flat_map([](value v) { return std::vector<value>{v, v}; });
    return std::vector<sw::collection<value>>{a.concat(b, c).collect("merged")};
  };
  oracle expected = [](const std::vector<input_script>& s) {
    multisets m;
    add_mapped(m, s[0], [](value v) { return std::vector<value>{2 * v + 1}; });
    add_mapped(m, s[0], [](value v) { return v % 3 == 0 ? std::vector<value>{v} : std::vector<value>{}; });
    add_mapped(m, s[0], [](value v) { return std::vector<value>{v, v}; });
    return sorted_all({m});
  };
  expect_identical_runs(build, expected, 1, 100);
}

TEST(DeterministicOutput, ExchangeToFourInstances) {
  builder build = [](std::vector<sw::stream<value>>& in) {
    auto x = in[0].exchange([](value v) { return v; }, 4).map([](value v) { return mix(v); }, "mix");
    return std::vector<sw::collection<value>>{x.collect("four")};
  };
  oracle expected = [](const std::vector<input_script>& s) {
    multisets m;
    add_mapped(m, s[0], [](value v) { return std::vector<value>{mix(v)}; });
    return sorted_all({m});
  };
  expect_identical_runs(build, expected, 1, 200);
}

TEST(DeterministicOutput, GenericOperatorWithNotifications) {
  // Each instance holds an epoch's records in arrival order and emits them when notified: the
  // output order depends on arrival order at every instance and on when notifications fire.
  builder build = [](std::vector<sw::stream<value>>& in) {
    auto held = sw::testing::hold_per_epoch(in[0].exchange([](value v) { return v % 5; }, 3), "hold", 0);
    auto passthrough = in[0].map([](value v) { return v + 1; });
    return std::vector<sw::collection<value>>{held.concat(passthrough).collect("held")};
  };
  oracle expected = [](const std::vector<input_script>& s) {
    multisets m;
    add_mapped(m, s[0], [](value v) { return std::vector<value>{v, v + 1}; });
    return sorted_all({m});
  };
  expect_identical_runs(build, expected, 1, 300);
}

TEST(DeterministicOutput, TwoInputsFedByTwoThreads) {
  // A binary operator passes batches through as they come from either input, and a concat of
  // both goes through an exchange: both sinks see the two senders' interleaving.
  builder build = [](std::vector<sw::stream<value>>& in) {
    auto both = sw::testing::interleave(in[0], in[1], "interleave", 2);
    auto merged = in[0].concat(in[1]).exchange([](value v) { return v; }, 3).map([](value v) { return v ^ 1; });
    return std::vector<sw::collection<value>>{both.collect("interleaved"), merged.collect("merged")};
  };
  oracle expected = [](const std::vector<input_script>& s) {
    multisets a;
    multisets b;
    add_mapped(a, s[0], [](value v) { return std::vector<value>{v}; });
    add_mapped(a, s[1], [](value v) { return std::vector<value>{v * 2}; });
    for (const auto& script : s) add_mapped(b, script, [](value v) { return std::vector<value>{v ^ 1}; });
    return sorted_all({a, b});
  };
  expect_identical_runs(build, expected, 2, 400);
}

TEST(DeterministicOutput, LoopWithFeedbackAcrossEpochs) {
  // BFS in a loop with 3 instances: which improvements are found, and in which order, depends
  // on the order in which records meet inside the cycle.
  namespace st = sw::testing;
  for (std::size_t k = 0; k < st::runs(2); ++k) {
    const std::uint64_t seed = st::seed_for(k, 500);
    SCOPED_TRACE(st::seed_note(seed));
    std::mt19937_64 rng(seed);
    st::adjacency graph(60);
    for (std::uint32_t v = 0; v < graph.size(); ++v)
      for (int e = 0; e < 3; ++e) graph[v].push_back(static_cast<std::uint32_t>(rng() % graph.size()));
    std::vector<std::uint32_t> sources;
    for (int e = 0; e < 4; ++e) sources.push_back(static_cast<std::uint32_t>(rng() % graph.size()));
    std::vector<sw::timed<st::node_value>> first;
    for (std::size_t r = 0; r < 20; ++r) {
      sw::runtime rt(deterministic_options());
      sw::graph g("bfs");
      auto [in, seeds] = g.input<st::node_value>("sources");
      auto neighbours = [&graph](const st::node_value& n) {
        std::vector<st::node_value> out;
        for (auto w : graph[n.first]) out.emplace_back(w, n.second + 1);
        return out;
      };
      auto found = st::propagate_minimum(seeds, "bfs", 3, neighbours, std::make_shared<std::atomic<int>>(0)).collect("found");
      auto ex = rt.run(g);
      std::thread sender([&, in = in]() mutable {
        st::jitter pause(seed * 1000 + r);
        for (sw::timestamp e = 0; e < sources.size(); ++e) {
          in.advance_to(e);
          pause();
          in.send({sources[e], 0});
          pause();
        }
        in.close();
      });
      sender.join();
      ex.wait();
      const auto items = found.items();
      for (sw::timestamp e = 0; e < sources.size(); ++e)
        ASSERT_EQ(st::minimum_per_node(items, e), st::bfs_oracle(graph, sources[e])) << "epoch " << e;
      if (r == 0) first = items;
      else ASSERT_TRUE(items == first) << "run " << r << " found the improvements in another order";
    }
  }
}
