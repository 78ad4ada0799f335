// Randomized progress test: random DAGs (fan-in, fan-out, exchange, notifications, capability
// delays, random batch sizes, delays and advance_to sequences, 1-4 threads) run on the real
// runtime and are checked against a sequential oracle of the same graph:
//   - safety: no notification and no probe reports t complete while a record at a time <= t
//     has not yet been processed where it is observed;
//   - liveness: every epoch is eventually reported complete at every sink;
//   - results: every sink's per-epoch multiset equals the oracle's.
// A failure prints its seed; STREAMWEAVE_SEED=<seed> replays exactly that graph and script;
// STREAMWEAVE_SEED_BASE=<n> STREAMWEAVE_RUNS=<k> explores k other seeds.
#include <streamweave/streamweave.hpp>

#include "support/random_graph.hpp"
#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {

namespace rg = sw::testing::random_graph;
using rg::op;
using rg::timed_values;
using value = rg::value;
constexpr std::size_t max_epochs = 64;  // epochs a counter array covers (inputs + shifts)

struct input_script {
  // steps: (epoch, records); the input advances to `epoch` before sending.
  std::vector<std::pair<sw::timestamp, std::vector<value>>> steps;
  sw::timestamp final_time = 0;
};

struct plan {
  std::vector<rg::node> nodes;
  std::vector<input_script> inputs;  // one per input node, in node order
  sw::runtime_options options;
};

rg::shape dag_shape() {
  rg::shape s;
  s.min_inputs = 1;
  s.max_inputs = 2;
  s.min_operators = 3;
  s.max_operators = 12;
  s.operator_mix = {op::map, op::filter, op::flat_map, op::concat, op::hold, op::shift, op::map};
  return s;
}

plan make_plan(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  plan p;
  p.options.threads = 1 + pick(4);
  p.options.batch_size = 1 + pick(48);
  p.options.queue_capacity = 1 + pick(6);
  p.options.activation_budget = 1 + pick(8);
  p.nodes = rg::make_topology(rng, dag_shape());
  for (const auto& n : p.nodes) {
    if (n.kind != op::input) continue;
    input_script script;
    sw::timestamp t = pick(2);
    const std::size_t epochs = 3 + pick(5);
    for (std::size_t e = 0; e < epochs; ++e) {
      std::vector<value> records(pick(40));
      for (auto& r : records) r = rng() & 0xffff;
      script.steps.push_back({t, std::move(records)});
      t += 1 + (pick(4) == 0 ? 1 : 0);  // sometimes skip an epoch
    }
    script.final_time = t;
    p.inputs.push_back(std::move(script));
  }
  return p;
}

/// The sequential oracle: what each node emits (for sinks: what they receive).
std::vector<timed_values> run_oracle(const plan& p) {
  std::vector<timed_values> sent;
  for (const auto& script : p.inputs) {
    timed_values v;
    for (const auto& [t, records] : script.steps)
      for (value r : records) v.push_back({t, r});
    sent.push_back(std::move(v));
  }
  return rg::oracle(p.nodes, sent);
}

/// Per-epoch counters a node bumps for every record it receives.
struct epoch_counters {
  std::array<std::atomic<std::uint64_t>, max_epochs> counts{};
  std::uint64_t up_to(sw::timestamp t) const {
    std::uint64_t sum = 0;
    for (sw::timestamp e = 0; e <= t && e < max_epochs; ++e) sum += counts[e].load(std::memory_order_acquire);
    return sum;
  }
};

std::uint64_t oracle_up_to(const timed_values& v, sw::timestamp t) {
  return static_cast<std::uint64_t>(std::count_if(v.begin(), v.end(), [&](const auto& tv) { return tv.first <= t; }));
}

struct observed {
  std::vector<std::unique_ptr<epoch_counters>> received;  // per plan node (buffers and sinks)
  std::vector<std::unique_ptr<std::mutex>> sink_mutex;
  std::vector<timed_values> sink_records;
  std::atomic<int> safety_violations{0};
  std::mutex note_mutex;
  std::string first_violation;
  void violation(const std::string& what) {
    if (safety_violations.fetch_add(1) == 0) {
      std::lock_guard lock(note_mutex);
      first_violation = what;
    }
  }
};

void maybe_delay(value v) {
  if (v % 97 == 0) std::this_thread::sleep_for(std::chrono::microseconds(20 + v % 50));
}

void run_one(std::uint64_t seed) {
  SCOPED_TRACE(sw::testing::seed_note(seed));
  const plan p = make_plan(seed);
  const auto expected = run_oracle(p);
  observed obs;
  for (std::size_t i = 0; i < p.nodes.size(); ++i) {
    obs.received.push_back(std::make_unique<epoch_counters>());
    obs.sink_mutex.push_back(std::make_unique<std::mutex>());
  }
  obs.sink_records.resize(p.nodes.size());

  sw::runtime rt(p.options);
  sw::graph g("random-" + std::to_string(seed));
  std::vector<std::pair<std::size_t, sw::probe>> probes;  // (sink plan node, probe on its input)

  // The stateful kinds: hold (keeps each epoch until notified, checking on delivery that the
  // epoch is complete here) and sinks (a probe on the input, and the records received).
  auto custom = [&](std::size_t i, const sw::stream<value>& in,
                    const std::vector<std::optional<sw::stream<value>>>&) -> std::optional<sw::stream<value>> {
    const std::string name = rg::node_name(i);
    auto* counters = obs.received[i].get();
    if (p.nodes[i].kind == op::hold) {
      const timed_values* oracle_in = &expected[p.nodes[i].from[0]];
      observed* o = &obs;
      return in.unary<value>(name, [counters, oracle_in, o, name](sw::operator_setup& setup) {
        setup.drop_initial_capability();
        std::map<sw::timestamp, std::vector<value>> held;
        return [counters, oracle_in, o, name, held](sw::unary_context<value, value>& ctx) mutable {
          ctx.input.for_each([&](sw::input_batch<value>& b) {
            if (held.find(b.time()) == held.end()) ctx.notify_at(b.retain());
            auto& h = held[b.time()];
            for (value v : b.records()) {
              maybe_delay(v);
              h.push_back(v);
            }
            counters->counts[b.time()].fetch_add(b.records().size(), std::memory_order_release);
          });
          ctx.for_each_notification([&](sw::capability& cap) {
            // Safety: every record at a time <= t must have arrived here already.
            const auto got = counters->up_to(cap.time());
            const auto want = oracle_up_to(*oracle_in, cap.time());
            if (got != want)
              o->violation("notification at " + std::to_string(cap.time()) + " in " + name + ": received " +
                           std::to_string(got) + " of " + std::to_string(want) + " records <= t");
            for (value v : held[cap.time()]) ctx.output.give(cap, v);
            held.erase(cap.time());
          });
        };
      });
    }
    auto* m = obs.sink_mutex[i].get();
    auto* recs = &obs.sink_records[i];
    probes.push_back({i, in.probe()});
    in.for_each([counters, m, recs](sw::timestamp t, value v) {
      {
        std::lock_guard lock(*m);
        recs->push_back({t, v});
      }
      counters->counts[t].fetch_add(1, std::memory_order_release);
    }, name);
    return std::nullopt;
  };
  std::vector<sw::input_handle<value>> inputs =
      rg::build(g, dag_shape(), p.nodes, custom, [](std::size_t, value v) { maybe_delay(v); });

  auto ex = rt.run(g);
  // Checker: whenever a probe says t is complete, the sink must have every record <= t.
  std::atomic<bool> stop{false};
  std::thread checker([&] {
    while (!stop.load()) {
      for (const auto& [node, pr] : probes) {
        const sw::timestamp f = pr.frontier();
        if (f == 0) continue;
        const sw::timestamp t = std::min<sw::timestamp>(f - 1, max_epochs - 1);
        const auto got = obs.received[node]->up_to(t);
        const auto want = oracle_up_to(expected[node], t);
        if (got != want)
          obs.violation("probe at sink n" + std::to_string(node) + " says " + std::to_string(t) + " complete with " +
                        std::to_string(got) + " of " + std::to_string(want) + " records <= t");
      }
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> senders;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    senders.emplace_back([&, k] {
      auto& h = inputs[k];
      for (const auto& [t, records] : p.inputs[k].steps) {
        h.advance_to(t);
        for (value v : records) h.send(v);
      }
      h.advance_to(p.inputs[k].final_time);
      h.close();
    });
  }
  for (auto& s : senders) s.join();
  const bool finished = ex.wait_for(30s);
  stop = true;
  checker.join();
  ASSERT_TRUE(finished) << "the run did not complete (liveness)";
  ex.wait();
  for (const auto& [node, pr] : probes) EXPECT_TRUE(pr.done()) << "probe at n" << node << " never completed";

  EXPECT_EQ(obs.safety_violations.load(), 0) << obs.first_violation;
  for (std::size_t i = 0; i < p.nodes.size(); ++i) {
    if (p.nodes[i].kind != op::sink) continue;
    auto got = obs.sink_records[i];
    auto want = expected[i];
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << "sink n" << i << " differs from the oracle";
  }
}

}  // namespace

TEST(RandomDag, MatchesSequentialOracle) {
  const std::size_t runs = sw::testing::runs(200);
  for (std::size_t i = 0; i < runs; ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i);
    run_one(seed);
    if (::testing::Test::HasFailure()) {
      std::fprintf(stderr, "RandomDag failed: %s\n", sw::testing::seed_note(seed).c_str());
      break;
    }
  }
}

TEST(RandomDag, LivenessEveryEpochCompletesWhileInputsStayOpen) {
  // Epoch-by-epoch: after advance_to(t + 1) every probe must report t complete without the
  // input closing (completion must not wait for the end of the run).
  for (std::size_t i = 0; i < sw::testing::runs(20); ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i, 777);
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    sw::runtime_options o;
    o.threads = 1 + rng() % 4;
    o.batch_size = 1 + rng() % 16;
    sw::runtime rt(o);
    sw::graph g;
    auto [in, s] = g.input<value>("in");
    auto a = s.map([](value v) { return rg::mix(v); }).exchange([](value v) { return v; }, 1 + rng() % 3);
    auto b = a.filter([](value v) { return v % 2 == 0; }).concat(s);
    auto p = b.probe();
    b.for_each([](value) {});
    auto ex = rt.run(g);
    for (sw::timestamp t = 0; t < 20; ++t) {
      for (std::size_t k = rng() % 30; k > 0; --k) in.send(rng());
      in.advance_to(t + 1);
      ASSERT_TRUE(p.wait_until_complete(t, 10s)) << "epoch " << t;
    }
    in.close();
    ex.wait();
  }
}
