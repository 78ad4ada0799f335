// Output handles under hostile use: parallel sink instances sharing one bounded buffer,
// "wait forever" timeouts, and records whose moves throw.
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <thread>

namespace sw = streamweave;
using namespace std::chrono_literals;

// Point 4: every parallel instance of the output sink must be resumed when the reader makes
// room, not only the last one that found the buffer full.
TEST(OutputHandle, ParallelSinkInstancesAllResumeAfterPop) {
  for (std::size_t threads : {1u, 2u, 4u}) {
    SCOPED_TRACE("threads=" + std::to_string(threads));
    sw::runtime rt(sw::runtime_options{.threads = threads, .batch_size = 16, .queue_capacity = 2});
    sw::graph g;
    constexpr int n = 100000;
    auto s = g.source("numbers", [i = 0]() mutable -> std::optional<int> {
      if (i == n) return std::nullopt;
      return i++;
    });
    auto out = s.exchange([](int x) { return x; }, 4).output(64);
    auto ex = rt.run(g);
    int popped = 0;
    while (auto r = out.pop(5s)) ++popped;
    EXPECT_TRUE(out.finished()) << "pop() gave up after " << popped << " of " << n << " records";
    EXPECT_EQ(popped, n);
    ex.cancel();
  }
}

// The same after a parallel keyed operator.
TEST(OutputHandle, OutputAfterAParallelKeyedOperatorDrains) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 8, .queue_capacity = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto out = s.key_by([](int x) { return x % 1000; }, 3).count("count").output(4);
  auto ex = rt.run(g);
  std::thread sender([h = in]() mutable {
    for (int t = 0; t < 20; ++t) {
      for (int i = 0; i < 1000; ++i) h.send(i);
      h.advance_to(static_cast<sw::timestamp>(t + 1));
    }
    h.close();
  });
  std::uint64_t total = 0;
  while (auto r = out.pop(5s)) total += r->record.second;
  sender.join();
  EXPECT_EQ(total, 20000u);
  EXPECT_TRUE(out.finished());
  ex.wait();
}

// Point 9: a timeout of nanoseconds::max() means "wait forever", not "return at once".
TEST(OutputHandle, PopWithTheLargestTimeoutWaits) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto out = s.output();
  auto ex = rt.run(g);
  std::thread later([h = in]() mutable {
    std::this_thread::sleep_for(50ms);
    h.send(7);
    h.close();
  });
  auto r = out.pop(std::chrono::nanoseconds::max());
  later.join();
  ASSERT_TRUE(r.has_value()) << "pop(max) returned at once";
  EXPECT_EQ(r->record, 7);
  ex.wait();
}

namespace {
/// Copies and moves ("transfers") throw on demand: the n-th transfer from now throws. Its move
/// may throw, so `pop` copies it out (`std::move_if_noexcept`): one transfer per pop.
struct jumpy {
  static inline std::atomic<int> transfers_until_throw{-1};  // < 0: never
  int v = 0;
  jumpy() = default;
  explicit jumpy(int x) : v(x) {}
  jumpy(const jumpy& o) : v(o.v) { tick(); }
  jumpy(jumpy&& o) : v(o.v) { tick(); }  // NOLINT: deliberately not noexcept
  jumpy& operator=(const jumpy& o) {
    tick();
    v = o.v;
    return *this;
  }
  jumpy& operator=(jumpy&& o) {  // NOLINT
    tick();
    v = o.v;
    return *this;
  }
  static void tick() {
    if (transfers_until_throw.load() >= 0 && transfers_until_throw.fetch_sub(1) == 0) throw std::runtime_error("transfer failed");
  }
};
}  // namespace

// Point 10: a pop whose transfer of the record throws must leave the record in the buffer.
TEST(OutputHandle, PopThatThrowsLosesNoRecord) {
  for (int throw_at = 0; throw_at < 4; ++throw_at) {
    SCOPED_TRACE("the transfer number " + std::to_string(throw_at + 1) + " throws");
    sw::runtime rt(sw::runtime_options{.threads = 1});
    sw::graph g;
    auto [in, s] = g.input<jumpy>("in");
    auto out = s.output();
    auto ex = rt.run(g);
    in.send(jumpy(5));
    in.close();
    ex.wait();
    jumpy::transfers_until_throw = throw_at;
    int got = 0;
    bool threw = false;
    try {
      if (auto r = out.try_pop()) got += r->record.v == 5 ? 1 : 100;
    } catch (const std::runtime_error&) {
      threw = true;
    }
    if (throw_at == 0) {
      EXPECT_TRUE(threw) << "the first transfer was armed to throw";
    }
    jumpy::transfers_until_throw = -1;
    if (threw) {
      EXPECT_FALSE(out.finished()) << "the record was removed although pop threw";
    }
    while (auto r = out.try_pop()) got += r->record.v == 5 ? 1 : 100;
    EXPECT_EQ(got, 1) << "the record was lost or duplicated";
    EXPECT_TRUE(out.finished());
  }
}
