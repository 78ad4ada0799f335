// Loop scopes: loop_time packing, the runtime's loop path summaries, feedback cycles that
// converge in 0 and in many rounds, per-round notifications, epoch completion at the loop's
// exit, state release, and the graphs that runtime::run must reject.
#include <streamweave/streamweave.hpp>

#include "iterate/loop_algorithms.hpp"
#include "progress/scoped_time.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace sw = streamweave;
using sw::testing::adjacency;
using sw::testing::node_value;

namespace {

sw::runtime_options options(std::size_t threads) {
  sw::runtime_options o;
  o.threads = threads;
  o.batch_size = 8;
  o.queue_capacity = 2;  // small queues: the feedback must not deadlock the cycle
  return o;
}

/// A path 0 -> 1 -> ... -> n-1.
adjacency path_graph(std::uint32_t n) {
  adjacency g(n);
  for (std::uint32_t v = 0; v + 1 < n; ++v) g[v].push_back(v + 1);
  return g;
}

/// One BFS from `source` per epoch over `g`, with `instances` parallel instances inside the loop.
std::map<sw::timestamp, std::map<std::uint32_t, std::uint32_t>> run_bfs(const adjacency& g, const std::vector<std::uint32_t>& sources,
                                                                        std::size_t threads, std::size_t instances,
                                                                        std::shared_ptr<std::atomic<int>> live = nullptr) {
  if (!live) live = std::make_shared<std::atomic<int>>(0);
  sw::runtime rt(options(threads));
  sw::graph gr("bfs");
  auto [in, seeds] = gr.input<node_value>("sources");
  auto neighbours = [&g](const node_value& r) {
    std::vector<node_value> out;
    for (auto w : g[r.first]) out.emplace_back(w, r.second + 1);
    return out;
  };
  auto result = sw::testing::propagate_minimum(seeds, "bfs", instances, neighbours, live).collect("distances");
  auto run = rt.run(gr);
  for (sw::timestamp e = 0; e < sources.size(); ++e) {
    in.advance_to(e);
    in.send({sources[e], 0});
  }
  in.close();
  run.wait();
  std::map<sw::timestamp, std::map<std::uint32_t, std::uint32_t>> out;
  for (sw::timestamp e = 0; e < sources.size(); ++e) out[e] = sw::testing::minimum_per_node(result.items(), e);
  return out;
}

}  // namespace

TEST(LoopTime, PackUnpackAndOrder) {
  for (sw::timestamp e : {sw::timestamp{0}, sw::timestamp{1}, sw::timestamp{123456789}, sw::loop_time::max_epoch})
    for (sw::timestamp r : {sw::timestamp{0}, sw::timestamp{1}, sw::timestamp{999}, sw::loop_time::max_round}) {
      const auto t = sw::loop_time::unpack(sw::loop_time::pack(e, r));
      EXPECT_EQ(t.epoch, e);
      EXPECT_EQ(t.round, r);
    }
  // The packed order is lexicographic, so it extends the product order.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    const sw::loop_time a{rng() % 50, rng() % 50}, b{rng() % 50, rng() % 50};
    if (a.epoch <= b.epoch && a.round <= b.round) {
      EXPECT_LE(sw::loop_time::pack(a), sw::loop_time::pack(b));
    }
    EXPECT_EQ(a < b, sw::loop_time::pack(a) < sw::loop_time::pack(b));
  }
}

TEST(LoopTime, RuntimeSummariesAreMonotoneAndExact) {
  using traits = sw::timestamp_traits<sw::internal::scoped_time>;
  constexpr auto bits = static_cast<std::uint8_t>(sw::loop_time::round_bits);
  const sw::internal::scoped_summary enter{0, bits, 0}, leave{bits, 0, 0}, feedback{0, 0, 3};
  EXPECT_EQ(traits::results_in(enter, {42})->value, sw::loop_time::pack(42, 0));
  EXPECT_EQ(traits::results_in(leave, {sw::loop_time::pack(42, 17)})->value, 42u);
  EXPECT_EQ(traits::results_in(feedback, {sw::loop_time::pack(42, 17)})->value, sw::loop_time::pack(42, 20));
  EXPECT_FALSE(traits::results_in(enter, {(~sw::timestamp{0} >> bits) + 1}).has_value()) << "overflow yields no time";
  EXPECT_FALSE(traits::results_in(feedback, {~sw::timestamp{0}}).has_value());
  std::mt19937_64 rng(11);
  for (int i = 0; i < 10000; ++i) {
    sw::timestamp a = rng() >> 24, b = rng() >> 24;
    if (a > b) std::swap(a, b);
    for (const auto& s : {enter, leave, feedback})
      EXPECT_LE(traits::results_in(s, {a})->value, traits::results_in(s, {b})->value);
  }
  EXPECT_TRUE(traits::summary_less_equal(feedback, sw::internal::scoped_summary{0, 0, 4}));
  EXPECT_FALSE(traits::summary_less_equal(feedback, traits::identity()));
  EXPECT_FALSE(traits::summary_less_equal(enter, leave));
}

class Loop : public ::testing::TestWithParam<std::size_t> {};

TEST_P(Loop, ConvergesInZeroRounds) {
  // No edges: the body feeds nothing back, so each epoch leaves after round 0.
  const auto out = run_bfs(adjacency(5), {0, 3, 4}, GetParam(), 2);
  EXPECT_EQ(out.at(0), (std::map<std::uint32_t, std::uint32_t>{{0, 0}}));
  EXPECT_EQ(out.at(1), (std::map<std::uint32_t, std::uint32_t>{{3, 0}}));
  EXPECT_EQ(out.at(2), (std::map<std::uint32_t, std::uint32_t>{{4, 0}}));
}

TEST_P(Loop, ConvergesAfterManyRounds) {
  // A path of 300 nodes takes 299 rounds from node 0, fewer from later sources.
  const adjacency g = path_graph(300);
  auto live = std::make_shared<std::atomic<int>>(0);
  const std::vector<std::uint32_t> sources{0, 150, 299};
  const auto out = run_bfs(g, sources, GetParam(), 3, live);
  for (sw::timestamp e = 0; e < sources.size(); ++e) EXPECT_EQ(out.at(e), sw::testing::bfs_oracle(g, sources[e])) << "epoch " << e;
  EXPECT_EQ(live->load(), 0) << "per-epoch state is freed once the epoch has left the loop";
}

TEST_P(Loop, NotificationsFirePerRoundInOrder) {
  // Every record makes laps until its counter reaches 0; a counting operator in the loop asks
  // for a notification at each (epoch, round) it sees and checks, when notified, that it has
  // seen every record of that round: the oracle is how many records still circulate.
  sw::runtime rt(options(GetParam()));
  sw::graph g("rounds");
  auto [in, starts] = g.input<int>("laps");
  std::mutex mutex;
  std::vector<std::pair<sw::loop_time, std::size_t>> notified;  // (time, records seen)
  auto left = sw::iterate(starts, "countdown", [&](const sw::stream<int>& v) {
    auto counted = v.unary<int>("count per round", [&](sw::operator_setup& setup) {
      setup.drop_initial_capability();
      std::map<sw::timestamp, std::size_t> seen;
      return [&, seen](sw::unary_context<int, int>& ctx) mutable {
        ctx.input.for_each([&](sw::input_batch<int>& b) {
          if (seen[b.time()] == 0) ctx.notify_at(b.retain());
          seen[b.time()] += b.records().size();
          const auto cap = b.retain();
          for (int x : b.records()) ctx.output.give(cap, x);
        });
        ctx.for_each_notification([&](sw::capability& cap) {
          std::lock_guard lock(mutex);
          notified.emplace_back(sw::loop_time::unpack(cap.time()), seen[cap.time()]);
          seen.erase(cap.time());
        });
      };
    });
    return std::pair{sw::stream<int>(counted.filter([](int x) { return x > 0; }).map([](int x) { return x - 1; })), counted};
  });
  auto out = left.collect("left");
  auto run = rt.run(g);
  const std::vector<std::vector<int>> epochs{{3, 0, 5, 5}, {}, {2}};
  for (sw::timestamp e = 0; e < epochs.size(); ++e) {
    in.advance_to(e);
    in.send(epochs[e]);
  }
  in.close();
  run.wait();
  std::vector<std::pair<sw::loop_time, std::size_t>> expected;
  for (sw::timestamp e = 0; e < epochs.size(); ++e)
    for (int r = 0;; ++r) {
      std::size_t alive = 0;
      for (int x : epochs[e]) alive += x >= r ? 1 : 0;
      if (alive == 0) break;
      expected.push_back({sw::loop_time{e, static_cast<sw::timestamp>(r)}, alive});
    }
  EXPECT_EQ(notified, expected) << "one notification per (epoch, round), in time order, each after the whole round";
  // Every lap's record left at its epoch: 4 + 1 + 6 + 6 for epoch 0, 3 for epoch 2.
  std::map<sw::timestamp, std::size_t> per_epoch;
  for (const auto& it : out.items()) ++per_epoch[it.time];
  EXPECT_EQ(per_epoch, (std::map<sw::timestamp, std::size_t>{{0, 17}, {2, 3}}));
}

TEST_P(Loop, ExitCompletesAnEpochWhenNothingOfItRemainsInTheLoop) {
  // Epoch 0 runs a long BFS; while epoch 1 is still open, a probe at the loop's exit must
  // report epoch 0 complete only once all of its output has left the loop.
  const adjacency g = path_graph(200);
  sw::runtime rt(options(GetParam()));
  sw::graph gr("exit");
  auto [in, seeds] = gr.input<node_value>("sources");
  auto neighbours = [&g](const node_value& r) {
    std::vector<node_value> out;
    for (auto w : g[r.first]) out.emplace_back(w, r.second + 1);
    return out;
  };
  auto left = sw::testing::propagate_minimum(seeds, "bfs", 2, neighbours, std::make_shared<std::atomic<int>>(0));
  auto probe = left.probe();
  auto result = left.collect("distances");
  auto run = rt.run(gr);
  in.send({0, 0});
  in.advance_to(1);
  ASSERT_TRUE(probe.wait_until_complete(0, std::chrono::seconds(60)));
  EXPECT_FALSE(probe.is_complete(1)) << "epoch 1 is still open";
  EXPECT_EQ(sw::testing::minimum_per_node(result.items(), 0), sw::testing::bfs_oracle(g, 0));
  in.send({100, 0});
  in.close();
  run.wait();
  EXPECT_EQ(sw::testing::minimum_per_node(result.items(), 1), sw::testing::bfs_oracle(g, 100));
}

INSTANTIATE_TEST_SUITE_P(Threads, Loop, ::testing::Values(1, 2, 4));

// ---- graphs runtime::run rejects ----

namespace {
std::string run_error(sw::graph& g) {
  sw::runtime rt(options(1));
  try {
    rt.run(g).wait();
  } catch (const sw::graph_error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(LoopValidation, RejectsAFeedbackThatDoesNotAdvanceTime) {
  sw::graph g("g");
  auto loop = g.loop("stuck");
  auto [next, back] = loop.feedback<int>("no advance", 1, /*step=*/0);
  auto v = loop.enter(g.source_from("xs", std::vector<int>{1}), "in").concat(back);
  next.connect(v.map([](int x) { return x; }, "same round"));
  loop.leave(v, "out").for_each([](int) {});
  const std::string error = run_error(g);
  EXPECT_NE(error.find("cycle"), std::string::npos) << error;
  EXPECT_NE(error.find("no advance"), std::string::npos) << error;
}

TEST(LoopValidation, RejectsAnUnconnectedFeedback) {
  sw::graph g("g");
  auto loop = g.loop("open");
  auto [next, back] = loop.feedback<int>("dangling feedback");
  loop.leave(loop.enter(g.source_from("xs", std::vector<int>{1})).concat(back)).for_each([](int) {});
  const std::string error = run_error(g);
  EXPECT_NE(error.find("'dangling feedback' of loop 'open' is never connected"), std::string::npos) << error;
}

TEST(LoopValidation, RejectsAStreamCrossingTheBoundary) {
  sw::graph g("g");
  auto outside = g.source_from("outside", std::vector<int>{1});
  auto loop = g.loop("l");
  auto [next, back] = loop.feedback<int>("fb");
  next.connect(back.concat(outside));  // an outside stream used inside without enter
  loop.leave(back, "out").for_each([](int) {});
  const std::string error = run_error(g);
  EXPECT_NE(error.find("crosses a loop boundary"), std::string::npos) << error;
  EXPECT_NE(error.find("'outside'"), std::string::npos) << error;
}

TEST(LoopValidation, RejectsNestedLoops) {
  sw::graph g("g");
  auto outer = g.loop("outer");
  auto [next, back] = outer.feedback<int>("fb");
  auto v = outer.enter(g.source_from("xs", std::vector<int>{1})).concat(back);
  next.connect(v.filter([](int) { return false; }));
  auto inner = g.loop("inner");
  inner.leave(inner.enter(v, "nested enter"), "inner out").for_each([](int) {});
  outer.leave(v).for_each([](int) {});
  const std::string error = run_error(g);
  EXPECT_NE(error.find("loops do not nest"), std::string::npos) << error;
}

TEST(LoopValidation, RejectsACycleThroughTheExit) {
  sw::graph g("g");
  auto loop = g.loop("l");
  auto [next, back] = loop.feedback<int>("fb");
  auto out = loop.leave(back, "exit");
  auto again = loop.enter(out, "re-enter");  // outside -> inside again: a cycle through the exit
  next.connect(again);
  out.for_each([](int) {});
  const std::string error = run_error(g);
  EXPECT_NE(error.find("a cycle passes through"), std::string::npos) << error;
}

TEST(LoopErrors, TooManyRoundsFailsTheRunNamingTheLoop) {
  sw::runtime rt(options(2));
  sw::graph g("g");
  auto loop = g.loop("forever");
  constexpr sw::timestamp step = sw::loop_time::max_round / 2 + 1;  // the second lap exceeds the limit
  auto [next, back] = loop.feedback<int>("fb", 1, step);
  auto v = loop.enter(g.source_from("xs", std::vector<int>{1})).concat(back);
  next.connect(v.map([](int x) { return x; }));
  loop.leave(v).for_each([](int) {});
  try {
    rt.run(g).wait();
    FAIL() << "expected an operator_error";
  } catch (const sw::operator_error& e) {
    EXPECT_NE(std::string(e.what()).find("loop 'forever'"), std::string::npos) << e.what();
  }
}

TEST(LoopValidation, RejectsAFeedbackStepBeyondTheRoundLimit) {
  // A step of more than max_round rounds would carry a record into a later epoch (or wrap the
  // packed time below its input time, which the tracker cannot follow).
  for (const sw::timestamp step : {sw::loop_time::max_round + 1, ~sw::timestamp{0}}) {
    sw::graph g("g");
    auto loop = g.loop("l");
    auto [next, back] = loop.feedback<int>("big step", 1, step);
    auto v = loop.enter(g.source_from("xs", std::vector<int>{1}), "in").concat(back);
    next.connect(v.filter([](int x) { return x < 2; }).map([](int x) { return x + 1; }));
    loop.leave(v, "out").for_each([](int) {});
    const std::string error = run_error(g);
    EXPECT_NE(error.find("'big step'"), std::string::npos) << "step " << step << ": " << error;
  }
}

TEST(LoopErrors, EndOfEpochNotificationFiresForTheLargestEpoch) {
  // The documented way to keep per-epoch state: a notification at end_of_epoch(e). For every
  // epoch a loop accepts, that time must stay below the "no more input" frontier sentinel,
  // or the notification never fires and the run never completes.
  constexpr sw::timestamp last = sw::loop_time::max_epoch;
  EXPECT_LT(sw::loop_time::end_of_epoch(last), std::numeric_limits<sw::timestamp>::max());
  sw::runtime rt(options(2));
  sw::graph g("g");
  auto [in, xs] = g.input<int>("xs");
  auto loop = g.loop("l");
  auto counted = loop.enter(xs).unary<std::size_t>("count per epoch", [](sw::operator_setup& setup) {
    setup.drop_initial_capability();
    std::map<sw::timestamp, std::size_t> seen;  // by epoch
    return [seen](sw::unary_context<int, std::size_t>& ctx) mutable {
      ctx.input.for_each([&](sw::input_batch<int>& b) {
        const sw::timestamp e = sw::loop_time::unpack(b.time()).epoch;
        if (seen[e] == 0) ctx.notify_at(b.retain().delayed(sw::loop_time::end_of_epoch(e)));
        seen[e] += b.records().size();
      });
      ctx.for_each_notification([&](sw::capability& cap) {
        const sw::timestamp e = sw::loop_time::unpack(cap.time()).epoch;
        ctx.output.give(cap, seen[e]);
        seen.erase(e);
      });
    };
  });
  auto out = loop.leave(counted).collect("counts");
  auto run = rt.run(g);
  in.advance_to(last);
  in.send(std::vector<int>{1, 2, 3});
  in.close();
  if (!run.wait_for(std::chrono::seconds(30))) {
    run.cancel();
    FAIL() << "the notification at end_of_epoch(max_epoch) never fired";
  }
  ASSERT_EQ(out.items().size(), 1u);
  EXPECT_EQ(out.items()[0].time, last);
  EXPECT_EQ(out.items()[0].record, 3u);
}

TEST(LoopValidation, RejectsEventTimeOperatorsInsideALoop) {
  using rec = std::pair<int, sw::timestamp>;
  auto key = [](const rec& r) { return r.first; };
  auto event_time = [](const rec& r) { return r.second; };
  {
    sw::graph g("g");
    auto loop = g.loop("l");
    auto [next, back] = loop.feedback<rec>("fb");
    auto v = loop.enter(g.source_from("xs", std::vector<rec>{{1, 5}})).concat(back);
    next.connect(v.filter([](const rec&) { return false; }));
    auto windows = v.key_by(key, 1).window(sw::tumbling_windows(10), event_time).count("windowed count");
    windows.output.for_each([](const auto&) {});
    windows.late.for_each([](const rec&) {});
    loop.leave(v).for_each([](const rec&) {});
    const std::string error = run_error(g);
    EXPECT_NE(error.find("'windowed count' compares event times"), std::string::npos) << error;
  }
  {
    sw::graph g("g");
    auto loop = g.loop("l");
    auto [next, back] = loop.feedback<rec>("fb");
    auto v = loop.enter(g.source_from("xs", std::vector<rec>{{1, 5}})).concat(back);
    next.connect(v.filter([](const rec&) { return false; }));
    auto k = v.key_by(key, 1);
    k.interval_join(k, 1, 1, event_time, event_time, "interval", [](const rec&, const rec&) { return 0; }).for_each([](int) {});
    loop.leave(v).for_each([](const rec&) {});
    const std::string error = run_error(g);
    EXPECT_NE(error.find("'interval' compares event times"), std::string::npos) << error;
  }
  {
    // The same per-timestamp keyed count is fine inside a loop (per (epoch, round)).
    sw::graph g("g");
    auto loop = g.loop("l");
    auto [next, back] = loop.feedback<rec>("fb");
    auto v = loop.enter(g.source_from("xs", std::vector<rec>{{1, 5}})).concat(back);
    next.connect(v.filter([](const rec&) { return false; }));
    loop.leave(v.key_by(key, 1).count("per round count")).for_each([](const auto&) {});
    EXPECT_EQ(run_error(g), "no error");
  }
}
