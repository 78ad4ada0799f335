#pragma once
// A random fault workload, shared by test/reliability/fault_dag_test.cpp and the soak tool
// (test/soak/soak_main.cpp, run by tools/soak).
//
// Each seed builds a random graph with what embedding hosts use together: inputs fed by
// several threads at once, exchanges, output handles on parallel streams drained by reader
// threads, generic operators that hold epochs and re-arm notifications, a binary operator that
// leaves its second input until the first is done, a loop and a keyed count; 1-4 threads or
// deterministic mode, tiny batches and queues. Then either nothing happens, one operator throws at a random record,
// another thread cancels at a random moment, or the execution is destroyed while it runs.
// `run_fault_workload` checks what a user may rely on and returns every broken promise:
//   - a throw stops the run: wait() throws operator_error naming that operator;
//   - a cancel stops it too: wait() throws cancelled_error (or returns, when it completed
//     first), never operator_error; completed() agrees with wait();
//   - without a fault the run completes;
//   - senders get cancelled_error and nothing else once the run stops; readers' pop() ends;
//   - nothing hangs: a watchdog aborts the process, printing the seed, after 60 s.
#include <streamweave/streamweave.hpp>

#include "support/random_graph.hpp"
#include "support/seed.hpp"
#include "support/watchdog.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace streamweave::testing::fault_workload {

namespace sw = streamweave;
using namespace std::chrono_literals;

using value = std::uint64_t;

namespace rg = random_graph;
using rg::op;
enum class fault_kind { none, throws, cancel, destroy };

struct plan {
  std::vector<rg::node> nodes;
  std::size_t inputs = 0;
  std::vector<std::size_t> feeders;  // sender threads per input
  std::size_t epochs = 0;
  sw::runtime_options options;
  fault_kind fault = fault_kind::none;
  std::size_t fault_node = 0;
  std::uint64_t fault_at = 0;
  std::chrono::microseconds cancel_after{0};
};

inline bool has_user_code(op k) {
  return k == op::map || k == op::filter || k == op::flat_map || k == op::hold || k == op::second_after_first ||
         k == op::loop || k == op::sink;
}

using rg::node_name;

/// Inputs, exchanges and stateless operators; held epochs, a binary operator that waits for
/// its first input, loops and keyed counts; callback sinks and output handles.
inline rg::shape fault_shape() {
  rg::shape s;
  s.min_inputs = 1;
  s.max_inputs = 3;
  s.min_operators = 3;
  s.max_operators = 11;
  s.operator_mix = {op::map,  op::filter,      op::flat_map, op::concat, op::hold,
                    op::loop, op::keyed_count, op::map,      op::map,    op::second_after_first};
  s.sink_mix = {op::output, op::sink, op::sink};
  s.exchange_key = [](value v) -> value { return v % 11; };
  return s;
}

/// The name the operator_error of an injected fault in node `i` carries.
inline std::string fault_name(const plan& p, std::size_t i) {
  return p.nodes[i].kind == op::loop ? node_name(i) + "/halve" : node_name(i);
}

inline plan make_plan(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  plan p;
  p.options.threads = 1 + pick(4);
  p.options.batch_size = 1 + pick(16);
  p.options.queue_capacity = 1 + pick(4);
  p.options.activation_budget = 1 + pick(6);
  p.options.deterministic = pick(8) == 0;
  p.epochs = 2 + pick(4);
  p.nodes = rg::make_topology(rng, fault_shape());
  for (const auto& n : p.nodes)
    if (n.kind == op::input) {
      ++p.inputs;
      p.feeders.push_back(1 + pick(2));
    }
  const std::size_t f = pick(20);
  p.fault = f < 2 ? fault_kind::none : f < 5 ? fault_kind::cancel : f < 7 ? fault_kind::destroy : fault_kind::throws;
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < p.nodes.size(); ++i)
    if (has_user_code(p.nodes[i].kind)) candidates.push_back(i);
  if (p.fault == fault_kind::throws && candidates.empty()) p.fault = fault_kind::cancel;  // no user code to fail
  if (p.fault == fault_kind::throws) {
    p.fault_node = candidates[pick(candidates.size())];
    p.fault_at = 1 + pick(60);
  }
  p.cancel_after = std::chrono::microseconds(pick(4000));
  return p;
}

/// Where the injected fault fires: node `node` throws at its `at`-th record.
struct fault_point {
  std::size_t node = ~std::size_t{0};
  std::uint64_t at = 0;
  std::atomic<std::uint64_t> seen{0};
  std::atomic<bool> fired{false};
  std::chrono::steady_clock::time_point fired_at;  // written before `fired`
  void hit(std::size_t n) {
    if (n != node) return;
    if (seen.fetch_add(1) + 1 == at) {
      fired_at = std::chrono::steady_clock::now();
      fired.store(true, std::memory_order_release);
      throw std::runtime_error("injected fault in " + node_name(n));
    }
  }
};

/// The generic operator that holds each epoch until it is complete, then emits it; for even
/// epochs it re-arms a notification one time later from inside the delivery.
inline auto make_buffer(fault_point* fault, std::size_t i) {
  return [fault, i](sw::operator_setup& setup) {
    setup.drop_initial_capability();
    std::map<sw::timestamp, std::vector<value>> held;
    return [fault, i, held](sw::unary_context<value, value>& ctx) mutable {
      ctx.input.for_each([&](sw::input_batch<value>& b) {
        auto [it, fresh] = held.try_emplace(b.time());
        if (fresh) ctx.notify_at(b.retain());
        for (value v : b.records()) {
          fault->hit(i);
          it->second.push_back(v);
        }
      });
      ctx.for_each_notification([&](sw::capability& cap) {
        auto it = held.find(cap.time());
        if (it == held.end()) return;  // a re-armed notification, or emitted already
        for (value v : it->second) ctx.output.give(cap, v);
        held.erase(it);
        if (cap.time() % 2 == 0) ctx.notify_at(cap.delayed(cap.time() + 1));
      });
    };
  };
}

/// The binary operator that passes input 1 on, and takes input 2 only once input 1 is done.
inline auto make_second_after_first(fault_point* fault, std::size_t i) {
  return [fault, i](sw::operator_setup& setup) {
    setup.drop_initial_capability();
    return [fault, i](sw::binary_context<value, value, value>& ctx) {
      auto pass = [&](sw::input_batch<value>& b) {
        auto cap = b.retain();
        for (value v : b.records()) {
          fault->hit(i);
          ctx.output.give(cap, v);
        }
      };
      ctx.input1.for_each(pass);
      if (!ctx.input1.done()) return;  // leaves input 2 waiting
      ctx.input2.for_each(pass);
    };
  };
}

/// What one seed did, and every promise it saw broken (empty when all held).
struct result {
  std::string outcome;  // "completed", "operator_error: ...", "cancelled: ..." or "destroyed"
  std::vector<std::string> problems;
  int senders_released = 0;  // senders that got cancelled_error
};

inline const char* to_string(fault_kind k) {
  switch (k) {
    case fault_kind::none: return "none";
    case fault_kind::throws: return "throw";
    case fault_kind::cancel: return "cancel";
    case fault_kind::destroy: return "destroy";
  }
  return "?";
}

/// Advances a shared input to `t` unless another copy's thread already took it further.
inline void advance_forward(sw::input_handle<value>& h, sw::timestamp t) {
  try {
    h.advance_to(t);
  } catch (const sw::usage_error&) {
    if (h.time() < t) throw;
  }
}

/// Builds the graph of `p` in `g`: its inputs and output handles.
struct built {
  std::vector<sw::input_handle<value>> inputs;
  std::vector<sw::output_handle<value>> outputs;
};

inline built build(const plan& p, sw::graph& g, fault_point* F) {
  built b;
  auto custom = [&](std::size_t i, const sw::stream<value>& in,
                    const std::vector<std::optional<sw::stream<value>>>& streams) -> std::optional<sw::stream<value>> {
    const std::string name = node_name(i);
    switch (p.nodes[i].kind) {
      case op::hold: return in.unary<value>(name, make_buffer(F, i));
      case op::second_after_first: return in.binary<value>(*streams[p.nodes[i].from[1]], name, make_second_after_first(F, i));
      case op::loop:
        return sw::iterate(in, name, [F, i, name](const sw::stream<value>& v) {
          const sw::stream<value> halved = v.map([F, i](value x) {
            F->hit(i);
            return x / 2;
          }, name + "/halve");
          return std::pair{halved.filter([](value x) { return x > 0; }, name + "/more"), halved};
        });
      case op::keyed_count:
        return in.key_by([](value v) { return v % 7; }, 1 + i % 3)
            .count(name)
            .map([](const std::pair<value, std::uint64_t>& kc) { return kc.first * 1000 + kc.second; });
      case op::output: b.outputs.push_back(in.output(1 + i % 8, name)); return std::nullopt;
      default: in.for_each([F, i](value) { F->hit(i); }, name); return std::nullopt;
    }
  };
  b.inputs = rg::build(g, fault_shape(), p.nodes, custom, [F](std::size_t i, value) { F->hit(i); });
  return b;
}

/// Runs seed `seed` and checks it (see the file comment).
inline result run_fault_workload(std::uint64_t seed) {
  const plan p = make_plan(seed);
  sw::testing::watchdog dog("fault workload " + sw::testing::seed_note(seed) + ", fault " + to_string(p.fault), 60s);
  result r;
  std::mutex problems_mutex;
  auto problem = [&](std::string what) {
    std::lock_guard lock(problems_mutex);
    r.problems.push_back(std::move(what));
  };
  fault_point fault;
  if (p.fault == fault_kind::throws) {
    fault.node = p.fault_node;
    fault.at = p.fault_at;
  }

  sw::runtime rt(p.options);
  sw::graph g("faults-" + std::to_string(seed));
  built b = build(p, g, &fault);
  std::optional<sw::execution> ex(rt.run(g));
  std::atomic<int> released{0};
  std::vector<std::thread> readers, senders;
  for (auto& o : b.outputs)
    readers.emplace_back([&o] {
      while (o.pop()) {
      }
    });
  // The last feeder of an input closes it: an operator may wait for one input to be done
  // before it reads another, so inputs must not wait for each other's senders.
  std::vector<std::atomic<std::size_t>> feeding(p.inputs);
  for (std::size_t k = 0; k < p.inputs; ++k) feeding[k] = p.feeders[k];
  std::mt19937_64 script(seed ^ 0x5eed);
  for (std::size_t k = 0; k < p.inputs; ++k)
    for (std::size_t f = 0; f < p.feeders[k]; ++f) {
      const std::uint64_t s = script();
      senders.emplace_back([&, k, s] {
        std::mt19937_64 rng(s);
        auto h = b.inputs[k];  // a copy: several threads share the input
        try {
          for (sw::timestamp t = 0; t < p.epochs; ++t) {
            advance_forward(h, t);
            const std::size_t n = rng() % 40;
            if (rng() % 4 == 0) {
              std::vector<value> span(n);
              for (auto& v : span) v = rng() & 0xffff;
              h.send(span);
            } else {
              for (std::size_t i = 0; i < n; ++i) h.send(rng() & 0xffff);
            }
          }
          h.flush();
        } catch (const sw::cancelled_error&) {
          released.fetch_add(1);
        } catch (const std::exception& e) {
          problem(std::string("a sender got ") + e.what());
        }
        if (feeding[k].fetch_sub(1) == 1) h.close();
      });
    }
  std::thread stopper;
  if (p.fault == fault_kind::cancel)
    stopper = std::thread([&] {
      std::this_thread::sleep_for(p.cancel_after);
      ex->cancel();
    });
  if (p.fault == fault_kind::destroy) {
    // Destroying a running execution cancels it and waits for its tasks; the senders and
    // readers still hold their handles.
    std::this_thread::sleep_for(p.cancel_after);
    ex.reset();
  }
  for (auto& t : senders) t.join();
  for (auto& h : b.inputs) h.close();
  if (stopper.joinable()) stopper.join();
  r.senders_released = released.load();
  if (!ex) {
    for (auto& t : readers) t.join();  // pop() ends: the run is gone
    r.outcome = "destroyed";
    try {
      b.inputs[0].send(1);
      problem("a send after the execution was destroyed did not throw");
    } catch (const sw::error&) {
    }
    return r;
  }
  bool over = true;
  try {
    over = ex->wait_for(30s);
  } catch (const sw::error&) {
    // over, with an error: wait() below reports it
  }
  if (!over) ex->cancel();
  for (auto& t : readers) t.join();
  if (!over) {
    problem(std::string("the run did not finish within 30 s after its inputs closed (fault ") + to_string(p.fault) + ")");
    return r;
  }
  try {
    ex->wait();
    r.outcome = "completed";
  } catch (const sw::operator_error& e) {
    r.outcome = std::string("operator_error: ") + e.what();
    if (p.fault != fault_kind::throws || !fault.fired.load(std::memory_order_acquire)) {
      problem("unexpected " + r.outcome);
    } else if (std::chrono::steady_clock::now() - fault.fired_at > 20s) {
      problem("the run took more than 20 s to stop after the fault");  // the senders and readers had ended too
    }
    if (p.fault == fault_kind::throws && e.node_name() != fault_name(p, p.fault_node))
      problem("the operator_error names '" + e.node_name() + "', the fault was in '" + fault_name(p, p.fault_node) + "'");
  } catch (const sw::cancelled_error& e) {
    r.outcome = std::string("cancelled: ") + e.what();
    if (p.fault != fault_kind::cancel) problem("unexpected " + r.outcome);
  }
  if (p.fault == fault_kind::throws && fault.fired.load() && r.outcome.rfind("operator_error", 0) != 0)
    problem("the fault injected in '" + fault_name(p, p.fault_node) + "' did not stop the run: " + r.outcome);
  if ((p.fault == fault_kind::none || (p.fault == fault_kind::throws && !fault.fired.load())) && r.outcome != "completed")
    problem("a run without a fault ended with " + r.outcome);
  if (ex->completed() != (r.outcome == "completed"))
    problem("completed() says " + std::string(ex->completed() ? "true" : "false") + " but wait() gave " + r.outcome);
  if (r.outcome == "completed")
    for (const auto& o : b.outputs)
      if (!o.finished()) problem("the run completed but an output handle is not finished");
  return r;
}

}  // namespace streamweave::testing::fault_workload
