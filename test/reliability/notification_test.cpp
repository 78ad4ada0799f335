// Notifications requested for times that have already passed, re-entrant delivery, and
// generic bodies that leave input waiting (they must park, not spin).
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace sw = streamweave;
using namespace std::chrono_literals;

// Point 6a: re-arming inside for_each_notification with a time the frontier has already
// passed (the input closed meanwhile) is delivered in the same pass.
TEST(Notifications, ReArmedForAPassedTimeIsDelivered) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto fired = s.unary<sw::timestamp>("rearm", [](sw::operator_setup& setup) {
                  setup.drop_initial_capability();
                  return [armed = false](sw::unary_context<int, sw::timestamp>& ctx) mutable {
                    ctx.input.for_each([&](sw::input_batch<int>& b) {
                      if (!armed) ctx.notify_at(b.retain());
                      armed = true;
                    });
                    ctx.for_each_notification([&](sw::capability& cap) {
                      ctx.output.give(cap, cap.time());
                      if (cap.time() < 3) ctx.notify_at(cap.delayed(cap.time() + 1));
                    });
                  };
                }).collect();
  auto ex = rt.run(g);
  in.send(1);
  in.close();
  ASSERT_TRUE(ex.wait_for(10s)) << "a re-armed notification was never delivered";
  ex.wait();
  EXPECT_EQ(fired.records(), (std::vector<sw::timestamp>{0, 1, 2, 3}));
}

// Point 6b: notify_at after for_each_notification in the same call, for a time the frontier
// has already passed (a capability kept from an earlier batch).
TEST(Notifications, RequestedAfterDeliveryForAPassedTimeIsDelivered) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto fired = s.unary<sw::timestamp>("late request", [](sw::operator_setup& setup) {
                  setup.drop_initial_capability();
                  return [held = sw::capability()](sw::unary_context<int, sw::timestamp>& ctx) mutable {
                    ctx.for_each_notification([&](sw::capability& cap) { ctx.output.give(cap, cap.time()); });
                    ctx.input.for_each([&](sw::input_batch<int>& b) {
                      if (!held) held = b.retain();
                    });
                    if (ctx.input.done() && held) ctx.notify_at(std::move(held));  // time 0 passed long ago
                  };
                }).collect();
  auto ex = rt.run(g);
  in.send(1);
  in.close();
  ASSERT_TRUE(ex.wait_for(10s)) << "a notification requested for a passed time was never delivered";
  ex.wait();
  EXPECT_EQ(fired.records(), (std::vector<sw::timestamp>{0}));
}

// Point 6c: calling for_each_notification from inside its own callback is a clear error.
TEST(Notifications, ReEntrantDeliveryIsAClearError) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  s.unary<int>("nested", [](sw::operator_setup& setup) {
     setup.drop_initial_capability();
     return [](sw::unary_context<int, int>& ctx) {
       ctx.input.for_each([&](sw::input_batch<int>& b) {
         ctx.notify_at(b.retain());
         ctx.notify_at(b.retain());
       });
       ctx.for_each_notification([&](sw::capability&) { ctx.for_each_notification([](sw::capability&) {}); });
     };
   }).for_each([](int) {});
  auto ex = rt.run(g);
  in.send(1);
  in.close();
  try {
    ex.wait();
    FAIL() << "re-entrant for_each_notification was accepted";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "nested");
    try {
      std::rethrow_if_nested(e);
    } catch (const sw::usage_error& inner) {
      EXPECT_NE(std::string(inner.what()).find("for_each_notification"), std::string::npos) << inner.what();
    } catch (...) {
      FAIL() << "the nested error is not a usage_error";
    }
  }
}

// Point 12: a binary body that takes input 2 only once input 1 is done must park while it
// waits, not run again and again.
TEST(Notifications, BodyThatLeavesInputParksInsteadOfSpinning) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 4});
  sw::graph g;
  auto [first, s1] = g.input<int>("first");
  auto [second, s2] = g.input<int>("second");
  std::atomic<std::uint64_t> calls{0};
  auto out = s1.binary<int>(s2, "second after first", [&calls](sw::operator_setup& setup) {
                 setup.drop_initial_capability();
                 return [&calls](sw::binary_context<int, int, int>& ctx) {
                   calls.fetch_add(1, std::memory_order_relaxed);
                   ctx.input1.for_each([&](sw::input_batch<int>& b) {
                     auto cap = b.retain();
                     for (int v : b.records()) ctx.output.give(cap, v);
                   });
                   if (!ctx.input1.done()) return;  // leave input 2 until input 1 is done
                   ctx.input2.for_each([&](sw::input_batch<int>& b) {
                     auto cap = b.retain();
                     for (int v : b.records()) ctx.output.give(cap, v);
                   });
                 };
               }).collect();
  auto ex = rt.run(g);
  for (int i = 0; i < 8; ++i) second.send(i);
  second.flush();
  std::this_thread::sleep_for(50ms);
  const std::uint64_t before = calls.load();
  std::this_thread::sleep_for(300ms);
  const std::uint64_t during = calls.load() - before;
  EXPECT_LT(during, 20u) << "the body ran " << during << " times in 300 ms with nothing it could do";
  first.close();
  second.close();
  ex.wait();
  EXPECT_EQ(out.size(), 8u);
}
