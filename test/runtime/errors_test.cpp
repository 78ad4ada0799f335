// Failures, cancellation and misuse: clear errors that name the node, no hang, no leak.
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {

sw::runtime_options small(std::size_t threads) {
  sw::runtime_options o;
  o.threads = threads;
  o.batch_size = 8;
  o.queue_capacity = 2;
  return o;
}

template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<no exception>";
}

}  // namespace

TEST(Errors, OperatorExceptionStopsRunAndNamesOperator) {
  sw::runtime rt(small(2));
  sw::graph g;
  std::atomic<int> after{0};
  g.source("numbers", [i = 0]() mutable -> std::optional<int> { return i++; })  // endless
      .map([](int x) {
        if (x == 5000) throw std::runtime_error("bad record 5000");
        return x;
      }, "fragile")
      .for_each([&](int) { after.fetch_add(1); }, "sink");
  auto ex = rt.run(g);
  try {
    ex.wait();
    FAIL() << "wait() should rethrow";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "fragile");
    EXPECT_NE(std::string(e.what()).find("bad record 5000"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("'fragile'"), std::string::npos);
    try {
      std::rethrow_if_nested(e);
      FAIL() << "the original exception should be nested";
    } catch (const std::runtime_error& inner) {
      EXPECT_STREQ(inner.what(), "bad record 5000");
    }
  }
  EXPECT_TRUE(ex.done());
  EXPECT_FALSE(ex.completed());
}

TEST(Errors, ExceptionInGenericOperatorReleasesBlockedSender) {
  sw::runtime rt(small(2));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  s.unary<int>("thrower", [](sw::operator_setup& setup) {
     setup.drop_initial_capability();
     return [](sw::unary_context<int, int>& ctx) {
       ctx.input.for_each([](sw::input_batch<int>& b) {
         for (int x : b.records())
           if (x == 100) throw std::logic_error("boom");
       });
     };
   }).for_each([](int) {});
  auto ex = rt.run(g);
  bool sender_released = false;
  std::thread sender([&] {
    try {
      for (int i = 0;; ++i) in.send(i);  // blocks once the graph stops consuming
    } catch (const sw::cancelled_error& e) {
      sender_released = std::string(e.what()).find("'in'") != std::string::npos;
    }
  });
  EXPECT_THROW(ex.wait(), sw::operator_error);
  sender.join();
  EXPECT_TRUE(sender_released);
}

TEST(Errors, CancelFromAnotherThreadWhileSendBlocks) {
  sw::runtime rt(small(1));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  std::atomic<bool> release{false};
  s.for_each([&](int) {
    while (!release.load()) std::this_thread::sleep_for(1ms);
  }, "slow");
  auto ex = rt.run(g);
  std::atomic<bool> caught{false};
  std::thread sender([&] {
    try {
      for (int i = 0;; ++i) in.send(i);
    } catch (const sw::cancelled_error&) {
      caught = true;
    }
  });
  std::this_thread::sleep_for(50ms);
  std::thread canceller([&] { ex.cancel(); });
  canceller.join();
  release = true;
  sender.join();
  EXPECT_TRUE(caught.load());
  EXPECT_THROW(ex.wait(), sw::cancelled_error);
}

TEST(Errors, DestroyingRunningExecutionCancelsAndWaits) {
  sw::runtime rt(small(2));
  for (int round = 0; round < 20; ++round) {
    sw::graph g;
    std::atomic<long> n{0};
    g.source("endless", [i = 0]() mutable -> std::optional<int> { return i++; })
        .map([](int x) { return x + 1; })
        .exchange([](int x) { return x; }, 3)
        .for_each([&](int) { n.fetch_add(1); });
    {
      auto ex = rt.run(g);
      std::this_thread::sleep_for(std::chrono::milliseconds(round % 5));
    }  // destroyed while running
    const long seen = n.load();
    std::this_thread::sleep_for(5ms);
    EXPECT_EQ(n.load(), seen) << "no activation may run after the execution is destroyed";
  }
}

TEST(Errors, WaitForTimesOutOnOpenInput) {
  sw::runtime rt(small(1));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  s.for_each([](int) {});
  auto ex = rt.run(g);
  EXPECT_FALSE(ex.wait_for(20ms));
  in.close();
  EXPECT_TRUE(ex.wait_for(10s));
}

TEST(Misuse, SendAfterCloseNamesInput) {
  sw::runtime rt(small(1));
  sw::graph g;
  auto [in, s] = g.input<int>("orders");
  s.for_each([](int) {});
  auto ex = rt.run(g);
  in.close();
  const auto msg = message_of([&] { in.send(1); });
  EXPECT_NE(msg.find("'orders'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("after close"), std::string::npos) << msg;
  EXPECT_THROW(in.send(1), sw::usage_error);
  EXPECT_THROW(in.advance_to(5), sw::usage_error);
  ex.wait();
}

TEST(Misuse, AdvanceBackwardsNamesInput) {
  sw::runtime rt(small(1));
  sw::graph g;
  auto [in, s] = g.input<int>("clicks");
  s.for_each([](int) {});
  auto ex = rt.run(g);
  in.advance_to(10);
  const auto msg = message_of([&] { in.advance_to(3); });
  EXPECT_NE(msg.find("'clicks'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("backwards"), std::string::npos) << msg;
  EXPECT_THROW(in.advance_to(3), sw::usage_error);
  in.close();
  ex.wait();
}

TEST(Misuse, SendBeforeRun) {
  sw::graph g;
  auto [in, s] = g.input<int>("early");
  s.for_each([](int) {});
  const auto msg = message_of([&] { in.send(1); });
  EXPECT_NE(msg.find("'early'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("before the graph runs"), std::string::npos) << msg;
}

TEST(Misuse, ChangingRunningGraphThrows) {
  sw::runtime rt(small(1));
  sw::graph g("live");
  auto [in, s] = g.input<int>("in");
  s.for_each([](int) {}, "sink");
  auto ex = rt.run(g);
  const auto msg = message_of([&] { s.map([](int x) { return x; }, "late-map").collect(); });
  EXPECT_NE(msg.find("'live'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'late-map'"), std::string::npos) << msg;
  EXPECT_THROW(s.probe(), sw::graph_error);
  EXPECT_THROW(g.input<int>("another"), sw::graph_error);
  EXPECT_THROW(rt.run(g), sw::graph_error);
  in.close();
  ex.wait();
}

TEST(Misuse, DanglingStreamIsRejectedWithItsName) {
  sw::runtime rt(small(1));
  sw::graph g;
  auto s = g.source_from("numbers", std::vector<int>{1, 2});
  (void)s.map([](int x) { return x; }, "unused-map");  // a chain nobody consumes
  s.for_each([](int) {});
  const auto msg = message_of([&] { auto ex = rt.run(g); });
  EXPECT_NE(msg.find("'unused-map'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("never consumed"), std::string::npos) << msg;
}

TEST(Misuse, StreamFromAnotherGraphIsRejected) {
  sw::graph a("a");
  sw::graph b("b");
  auto sa = a.source_from("from-a", std::vector<int>{1});
  auto sb = b.source_from("from-b", std::vector<int>{1});
  const auto msg = message_of([&] { (void)sb.concat(sa); });
  EXPECT_NE(msg.find("'from-a'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("another graph"), std::string::npos) << msg;
  EXPECT_THROW((void)sb.binary<int>(sa, "join", [](sw::operator_setup&) { return [](sw::binary_context<int, int, int>&) {}; }),
               sw::graph_error);
}

TEST(Misuse, CapabilityCannotGoBackwards) {
  sw::runtime rt(small(1));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  s.unary<int>("regress", [](sw::operator_setup& setup) {
     setup.drop_initial_capability();
     return [](sw::unary_context<int, int>& ctx) {
       ctx.input.for_each([&](sw::input_batch<int>& b) {
         auto cap = b.retain();
         (void)cap.delayed(b.time() - 1);  // earlier than the batch: must throw
       });
     };
   }).for_each([](int) {});
  auto ex = rt.run(g);
  in.advance_to(5);
  in.send(1);
  try {
    in.close();
  } catch (const sw::cancelled_error&) {
  }
  try {
    ex.wait();
    FAIL();
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "regress");
    EXPECT_NE(std::string(e.what()).find("earlier"), std::string::npos) << e.what();
  }
}

TEST(Errors, ExchangeKeyThrowingOnTheSendersThreadStopsTheRun) {
  sw::runtime rt(small(2));
  sw::graph g;
  auto [in, s] = g.input<int>("keyed-input");
  s.exchange([](int x) {
     if (x == 42) throw std::runtime_error("bad key");
     return x;
   }, 2)
      .for_each([](int) {});
  auto ex = rt.run(g);
  EXPECT_THROW(
      {
        for (int i = 0; i < 100; ++i) in.send(i);
        in.flush();
      },
      sw::cancelled_error);
  try {
    ex.wait();
    FAIL();
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "keyed-input");
    EXPECT_NE(std::string(e.what()).find("bad key"), std::string::npos);
  }
}

TEST(Errors, OutputHandlePopReturnsWhenTheRunFails) {
  sw::runtime rt(small(2));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto out = s.map([](int x) {
     if (x == 3) throw std::runtime_error("stop");
     return x;
   }, "m").output(1000, "pull");
  auto ex = rt.run(g);
  std::thread popper([&] {
    while (out.pop(30s)) {
    }
  });
  try {  // once the map fails, sending throws cancelled_error
    for (int i = 0; i < 8; ++i) in.send(i);
    in.flush();
  } catch (const sw::cancelled_error&) {
  }
  EXPECT_THROW(ex.wait(), sw::operator_error);
  popper.join();  // released by the failure, not by a 30 s timeout
  EXPECT_FALSE(out.finished());
}

TEST(Errors, FailureRacingWithCompletionIsStillReported) {
  // The operator throws when it sees its input finished: that activation overlaps the moment
  // the run completes. wait() must still rethrow, and completed() must be false.
  for (int round = 0; round < 50; ++round) {
    sw::runtime rt(small(2));
    sw::graph g;
    g.source_from("n", std::vector<int>{1, 2, 3})
        .unary<int>("throws-at-end", [](sw::operator_setup& setup) {
          setup.drop_initial_capability();
          return [](sw::unary_context<int, int>& ctx) {
            ctx.input.for_each([](sw::input_batch<int>&) {});
            if (ctx.input.done()) throw std::runtime_error("end");
          };
        })
        .for_each([](int) {});
    auto ex = rt.run(g);
    EXPECT_THROW(ex.wait(), sw::operator_error) << "round " << round;
    EXPECT_FALSE(ex.completed());
  }
}
