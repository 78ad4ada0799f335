// Lifetime and failure paths: builders and factories that throw inside runtime::run,
// impossible options, "wait forever" timeouts, cancel racing completion, and an operator that
// deadlocks on its own graph's input.
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {
std::string nested_message(const std::exception& e) {
  try {
    std::rethrow_if_nested(e);
  } catch (const std::exception& inner) {
    return inner.what();
  }
  return {};
}
}  // namespace

// Point 7: a builder that throws for one instance, after others were built and hold
// capabilities, fails run() with an operator_error naming the node; the graph can run again.
TEST(Lifetime, BuilderThatThrowsInsideRunIsAnOperatorErrorAndTheGraphRunsAgain) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g("retry");
  auto [in, s] = g.input<int>("in");
  bool fail = true;
  auto out = s.exchange([](int x) { return x; }, 4)
                 .unary<int>("picky", [&fail](sw::operator_setup& setup) {
                   auto keep = setup.initial_capability();  // held while later builders run
                   if (fail && setup.instance_index() == 2) throw std::runtime_error("no config for instance 2");
                   return [keep](sw::unary_context<int, int>& ctx) mutable {
                     keep.reset();
                     ctx.input.for_each([&](sw::input_batch<int>& b) {
                       auto cap = b.retain();
                       for (int v : b.records()) ctx.output.give(cap, v);
                     });
                   };
                 })
                 .collect();
  try {
    auto ex = rt.run(g);
    FAIL() << "run() accepted a builder that threw";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "picky");
    EXPECT_EQ(nested_message(e), "no config for instance 2");
  }
  EXPECT_FALSE(g.started());
  fail = false;
  auto ex = rt.run(g);
  for (int i = 0; i < 100; ++i) in.send(i);
  in.close();
  ex.wait();
  EXPECT_EQ(out.size(), 100u);
}

TEST(Lifetime, SourceFactoryThatThrowsInsideRunNamesTheSource) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto got = g.partitioned_source("partitions", 3,
                                  [](std::size_t index, std::size_t) {
                                    if (index == 1) throw std::runtime_error("partition 1 unavailable");
                                    return [i = 0]() mutable -> std::optional<int> {
                                      if (i == 10) return std::nullopt;
                                      return i++;
                                    };
                                  })
                 .collect();
  try {
    auto ex = rt.run(g);
    FAIL() << "run() accepted a factory that threw";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "partitions");
    EXPECT_EQ(nested_message(e), "partition 1 unavailable");
  }
  EXPECT_EQ(got.size(), 0u);
}

// Point 8: options that cannot work are rejected with usage_error naming the limit.
TEST(Lifetime, OversizedOptionsAreRejectedWithTheLimit) {
  auto rejects = [](sw::runtime_options o, const char* option) {
    SCOPED_TRACE(option);
    sw::runtime rt(o);
    sw::graph g;
    g.source_from("n", std::vector<int>{1}).for_each([](int) {});
    try {
      auto ex = rt.run(g);
      ex.wait();
      ADD_FAILURE() << "accepted";
    } catch (const sw::usage_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(option), std::string::npos) << what;
      EXPECT_NE(what.find("at most"), std::string::npos) << what;
    }
  };
  rejects({.threads = 1, .queue_capacity = (std::size_t{1} << 63) + 1}, "queue_capacity");
  rejects({.threads = 1, .queue_capacity = std::numeric_limits<std::size_t>::max()}, "queue_capacity");
  rejects({.threads = 1, .batch_size = std::size_t{1} << 40}, "batch_size");
  EXPECT_THROW(sw::runtime(sw::runtime_options{.threads = std::size_t{1} << 40}), sw::usage_error);
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  EXPECT_THROW((void)s.exchange([](int x) { return x; }, std::size_t{1} << 40), sw::usage_error);
  EXPECT_THROW((void)s.key_by([](int x) { return x; }, std::size_t{1} << 40), sw::usage_error);
}

TEST(Lifetime, LargeButWorkableOptionsRun) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = std::size_t{1} << 20, .queue_capacity = 1 << 16,
                                     .activation_budget = std::numeric_limits<std::size_t>::max()});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto got = s.map([](int x) { return x + 1; }).collect();
  auto ex = rt.run(g);
  for (int i = 0; i < 1000; ++i) in.send(i);
  in.close();
  ex.wait();
  EXPECT_EQ(got.size(), 1000u);
}

// Point 9: "wait forever" timeouts wait.
TEST(Lifetime, WaitForAndWaitUntilCompleteWithTheLargestTimeoutWait) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto p = s.probe();
  s.for_each([](int) {});
  auto ex = rt.run(g);
  std::thread later([h = in]() mutable {
    std::this_thread::sleep_for(50ms);
    h.advance_to(3);
    std::this_thread::sleep_for(50ms);
    h.close();
  });
  EXPECT_TRUE(p.wait_until_complete(2, std::chrono::nanoseconds::max())) << "returned before time 2 completed";
  EXPECT_TRUE(p.is_complete(2));
  EXPECT_TRUE(ex.wait_for(std::chrono::nanoseconds::max())) << "returned before the run ended";
  EXPECT_TRUE(ex.completed());
  later.join();
}

TEST(Lifetime, NegativeAndZeroTimeoutsReturnAtOnce) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto p = s.probe();
  auto out = s.output();
  auto ex = rt.run(g);
  EXPECT_FALSE(p.wait_until_complete(0, std::chrono::nanoseconds::min()));
  EXPECT_FALSE(p.wait_until_complete(0, 0ns));
  EXPECT_FALSE(out.pop(std::chrono::nanoseconds::min()).has_value());
  EXPECT_FALSE(ex.wait_for(std::chrono::nanoseconds::min()));
  EXPECT_FALSE(ex.wait_for(0ns));
  in.close();
  ex.wait();
}

// Point 15: after a cancel that races completion, completed() and wait() agree.
TEST(Lifetime, CancelRacingCompletionGivesOneAnswer) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  int completed = 0, cancelled = 0;
  for (int trial = 0; trial < 300; ++trial) {
    sw::graph g;
    auto [in, s] = g.input<int>("in");
    s.for_each([](int) {});
    auto ex = rt.run(g);
    in.send(trial);
    std::thread canceller([&ex, trial] {
      if (trial % 3 == 0) std::this_thread::yield();
      ex.cancel();
    });
    in.close();
    canceller.join();
    while (!ex.done()) std::this_thread::yield();
    const bool says_completed = ex.completed();
    try {
      ex.wait();
      EXPECT_TRUE(says_completed) << "trial " << trial << ": wait() returned normally but completed() is false";
      ++completed;
    } catch (const sw::cancelled_error&) {
      EXPECT_FALSE(says_completed) << "trial " << trial << ": completed() is true but wait() threw cancelled_error";
      ++cancelled;
    }
    if (::testing::Test::HasFailure()) break;
  }
  std::printf("cancel racing completion: %d completed, %d cancelled\n", completed, cancelled);
}

// Point 17: an operator that blocks on its own graph's input deadlocks (documented); cancel()
// then makes wait() throw cancelled_error, not the operator_error of the released send.
TEST(Lifetime, CancellingAnOperatorBlockedOnItsOwnInputIsACancellation) {
  sw::runtime rt(sw::runtime_options{.threads = 1, .batch_size = 1, .queue_capacity = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("loopback");
  std::atomic<int> seen{0};
  s.for_each(
      [h = in, &seen](int v) mutable {
        seen.fetch_add(1);
        h.send(v + 1);  // feeds its own input twice per record: blocks once the queue is full
        h.send(v + 2);
      },
      "echo");
  auto ex = rt.run(g);
  in.send(0);
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (seen.load() < 1 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(ex.wait_for(100ms)) << "the loopback did not block";
  ex.cancel();
  EXPECT_THROW(ex.wait(), sw::cancelled_error);
}
