// STREAMWEAVE_ASSERT: on in the dev, asan and tsan builds (STREAMWEAVE_ASSERTIONS), where a
// broken invariant aborts with its message; a compiled-out check never evaluates its condition.
#include <streamweave/detail/assert.hpp>
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace {
int evaluations = 0;
bool counted(bool value) {
  ++evaluations;
  return value;
}
}  // namespace

#if defined(STREAMWEAVE_ENABLE_ASSERTIONS) && STREAMWEAVE_ENABLE_ASSERTIONS

TEST(Assertions, AreOnInThisBuildAndPassingChecksDoNothing) {
  evaluations = 0;
  STREAMWEAVE_ASSERT(counted(true), "never fails");
  EXPECT_EQ(evaluations, 1);
}

TEST(AssertionsDeathTest, ABrokenInvariantAbortsWithItsMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(STREAMWEAVE_ASSERT(counted(false), "queue depth above capacity"),
               "StreamWeave invariant broken: queue depth above capacity \\(counted\\(false\\)\\)");
}

namespace {
/// A capability that operator `keeper` smuggles out of its activation, for `thief` to use.
struct smuggled {
  std::mutex mutex;
  std::optional<streamweave::capability> cap;
  std::atomic<bool> stored{false};
};

void use_another_operators_capability() {
  namespace sw = streamweave;
  sw::runtime_options o;
  o.threads = 1;
  sw::runtime rt(o);
  sw::graph g("smuggling");
  auto slot = std::make_shared<smuggled>();
  auto [in1, s1] = g.input<int>("in1");
  auto [in2, s2] = g.input<int>("in2");
  s1.unary<int>("keeper", [slot](sw::operator_setup&) {
      return [slot](sw::unary_context<int, int>& ctx) {
        ctx.input.for_each([&](sw::input_batch<int>& b) {
          std::lock_guard lock(slot->mutex);
          slot->cap = b.retain();
          slot->stored = true;
        });
      };
    }).for_each([](int) {});
  s2.unary<int>("thief", [slot](sw::operator_setup&) {
      return [slot](sw::unary_context<int, int>& ctx) {
        ctx.input.for_each([&](sw::input_batch<int>&) {
          std::lock_guard lock(slot->mutex);
          if (slot->cap) const sw::capability copy = *slot->cap;  // counts +1 in keeper's buffer
        });
      };
    }).for_each([](int) {});
  auto ex = rt.run(g);
  in1.send(1);
  in1.flush();
  for (int waited = 0; !slot->stored && waited < 10000; ++waited) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  in2.send(2);
  in2.flush();
  std::this_thread::sleep_for(std::chrono::seconds(5));  // the thief's activation aborts before this ends
  // Not aborted: end cleanly (the death test then reports that nothing died). The smuggled
  // capability is released while its owner's buffer still exists and no activation runs.
  ex.cancel();
  try {
    ex.wait();
  } catch (const sw::error&) {
  }
  slot->cap.reset();
}
}  // namespace

TEST(AssertionsDeathTest, ACapabilityUsedInsideAnotherOperatorsActivationAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(use_another_operators_capability(), "a capability was used inside another operator's activation");
}

#else

TEST(Assertions, AreCompiledOutAndDoNotEvaluateTheCondition) {
  evaluations = 0;
  STREAMWEAVE_ASSERT(counted(false), "would fail");
  EXPECT_EQ(evaluations, 0);
}

#endif

// Legitimate use the ownership check must not flag in any build: an operator that wires, runs
// and destroys a whole other graph inside its activation (minting and dropping that graph's
// capabilities on the activation's thread).
TEST(CapabilityOwnership, AnOperatorMayRunAnotherGraphInsideItsActivation) {
  namespace sw = streamweave;
  sw::runtime_options o;
  o.threads = 1;
  sw::runtime rt(o);
  sw::graph g("outer");
  auto [in, s] = g.input<int>("in");
  auto out = s.unary<int>("runs-a-graph", [](sw::operator_setup&) {
                return [](sw::unary_context<int, int>& ctx) {
                  ctx.input.for_each([&](sw::input_batch<int>& b) {
                    auto cap = b.retain();
                    for (int v : b.records()) {
                      sw::runtime inner_rt(sw::runtime_options{});
                      sw::graph inner("inner");
                      auto doubled = inner.source_from("xs", std::vector<int>{v}).map([](int x) { return 2 * x; }).collect();
                      inner_rt.run(inner).wait();
                      for (int d : doubled.records()) ctx.output.give(cap, d);
                    }
                  });
                };
              }).collect();
  auto ex = rt.run(g);
  for (int v = 1; v <= 3; ++v) in.send(v);
  in.close();
  ex.wait();
  auto got = out.records();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int>{2, 4, 6}));
}
