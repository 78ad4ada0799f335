// The input-handle contract for several threads on copies of one input (docs/architecture.md,
// "Input handles and threads"): time never goes backwards, a record is stamped with the time
// `time()` showed when it was sent, `close` racing `advance_to` still completes, and
// `send(span)` is all or nothing.
#include <streamweave/streamweave.hpp>

#include "support/seed.hpp"
#include "support/watchdog.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {

/// Waits (up to 5 s) until `pred()` holds.
template <class Pred>
bool eventually(Pred pred) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

/// Fills an input whose stream feeds an output handle that nobody pops, until the state is
/// settled: `try_send` is refused (a batch is pending) and every queue is full, three times in
/// a row. The next blocking call on the input then waits for space until someone pops.
void fill_until_backpressured(sw::input_handle<int>& in, const sw::execution& ex) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  for (int settled = 0; settled < 3; std::this_thread::sleep_for(5ms)) {
    ASSERT_LT(std::chrono::steady_clock::now(), until) << "the input never became back-pressured";
    bool accepted = false;
    while (in.try_send(-1)) accepted = true;
    bool full = true;
    for (const auto& q : ex.stats()) full = full && q.depth == q.capacity;
    settled = !accepted && full ? settled + 1 : 0;
  }
}

}  // namespace

// Point 1: concurrent advance_to on copies of one input, with a probe at the sink.
TEST(InputContract, ConcurrentAdvanceNeverMovesTimeBackwards) {
  for (std::size_t run = 0; run < sw::testing::runs(6); ++run) {
    const std::uint64_t seed = sw::testing::seed_for(run, 81);
    SCOPED_TRACE(sw::testing::seed_note(seed));
    sw::runtime rt(sw::runtime_options{.threads = 1 + seed % 3, .batch_size = 3, .queue_capacity = 1});
    sw::graph g;
    auto [in, s] = g.input<int>("shared");
    auto probe = s.probe();
    std::atomic<int> early{0};
    std::atomic<sw::timestamp> worst_gap{0};
    s.for_each(
        [&](sw::timestamp t, int) {
          // The batch being processed is still counted at the sink's input: its time cannot be
          // complete yet.
          const sw::timestamp f = probe.frontier();
          if (f > t) {
            early.fetch_add(1);
            sw::timestamp w = worst_gap.load();
            while (f - t > w && !worst_gap.compare_exchange_weak(w, f - t)) {
            }
          }
          if ((t & 7) == 0) std::this_thread::sleep_for(5us);  // let queues fill
        },
        "sink");
    auto ex = rt.run(g);
    std::vector<std::thread> senders;
    std::atomic<int> went_back{0};
    for (int k = 0; k < 8; ++k) {
      senders.emplace_back([&, k] {
        std::mt19937_64 rng(seed * 31 + static_cast<std::uint64_t>(k));
        auto h = in;  // a copy: copies share one input
        for (int step = 0; step < 300; ++step) {
          if (rng() % 4 == 0) {
            const sw::timestamp t = h.time() + rng() % 3;
            try {
              h.advance_to(t);
              if (h.time() < t) went_back.fetch_add(1);  // another call may only raise it
            } catch (const sw::usage_error&) {
              // another thread advanced past t first: allowed
            }
          } else {
            h.send(k);
          }
        }
      });
    }
    for (auto& t : senders) t.join();
    in.close();
    ASSERT_TRUE(ex.wait_for(30s));
    EXPECT_EQ(went_back.load(), 0) << "time() fell below a completed advance_to";
    EXPECT_EQ(early.load(), 0) << "records arrived at times the probe had reported complete (worst gap "
                               << worst_gap.load() << ")";
  }
}

// Point 2: a record sent while another thread's advance_to waits for space gets the time that
// time() shows to its sender.
TEST(InputContract, RecordSentDuringAWaitingAdvanceKeepsTheTimeItWasSentAt) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 4, .queue_capacity = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto out = s.output(1);
  auto ex = rt.run(g);
  fill_until_backpressured(in, ex);
  std::atomic<bool> advanced{false};
  std::thread advancer([&, h = in]() mutable {
    h.advance_to(1);  // waits for space: nobody pops yet
    advanced = true;
  });
  // The advance takes effect before it waits for space: every copy's time() shows it at once.
  EXPECT_TRUE(eventually([&] { return in.time() == 1; })) << "time() did not show the advance while it waited";
  EXPECT_FALSE(advanced.load()) << "advance_to did not wait: the test did not set up back-pressure";
  const sw::timestamp seen = in.time();
  in.send(42);  // staged (batch not full): no wait
  std::size_t found = 0;
  std::thread reader([&] {
    while (auto r = out.pop(10s))
      if (r->record == 42) {
        ++found;
        EXPECT_EQ(r->time, seen) << "the record was stamped with a time its sender never saw";
      }
  });
  advancer.join();
  in.close();
  reader.join();
  ex.wait();
  EXPECT_EQ(found, 1u);
}

// Point 5: close() racing a waiting advance_to() must not leave the input's capability behind.
TEST(InputContract, CloseRacingAWaitingAdvanceCompletes) {
  sw::testing::watchdog dog("close racing a waiting advance_to", 150s);
  for (int trial = 0; trial < 200; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 2, .queue_capacity = 1});
    sw::graph g;
    auto [in, s] = g.input<int>("in");
    auto out = s.output(1);
    auto ex = rt.run(g);
    fill_until_backpressured(in, ex);
    std::thread advancer([h = in]() mutable {
      try {
        h.advance_to(5);
      } catch (const sw::usage_error&) {
        // close() came first: advancing a closed input is an error
      }
    });
    std::thread closer([h = in, trial]() mutable {
      std::this_thread::sleep_for(std::chrono::microseconds((trial % 10) * 300));
      h.close();
    });
    std::this_thread::sleep_for(5ms);
    std::thread reader([&] {
      while (out.pop(10s)) {  // ends when the stream finishes (or, with the bug, after 10 s idle)
      }
    });
    advancer.join();
    closer.join();
    reader.join();
    ASSERT_TRUE(ex.wait_for(10s)) << "the run never completed: the input's capability was left behind";
  }
}

namespace {
/// Copies throw while `copies_left` reaches 0 (counting down from a value the test sets).
struct fragile {
  static inline std::atomic<int> copies_left{1 << 30};
  int v = 0;
  fragile() = default;
  explicit fragile(int x) : v(x) {}
  fragile(const fragile& o) : v(o.v) {
    if (copies_left.fetch_sub(1) <= 0) throw std::runtime_error("copy failed");
  }
  fragile(fragile&&) noexcept = default;
  fragile& operator=(const fragile&) = default;
  fragile& operator=(fragile&&) noexcept = default;
};
}  // namespace

// Point 11: send(span) is all or nothing when a copy throws.
TEST(InputContract, SendSpanIsAllOrNothingWhenACopyThrows) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 3});
  sw::graph g;
  auto [in, s] = g.input<fragile>("in");
  auto got = s.map([](const fragile& f) { return f.v; }).collect();
  auto ex = rt.run(g);
  in.send(fragile(1));  // staged before the failing call: must survive it
  std::vector<fragile> span;
  for (int i = 0; i < 10; ++i) span.emplace_back(100 + i);
  fragile::copies_left = 6;  // the 7th copy throws
  EXPECT_THROW(in.send(span), std::runtime_error);
  fragile::copies_left = 1 << 30;
  in.send(span);
  in.close();
  ex.wait();
  std::vector<int> values = got.records();
  std::sort(values.begin(), values.end());
  std::vector<int> expected{1};
  for (int i = 0; i < 10; ++i) expected.push_back(100 + i);
  EXPECT_EQ(values, expected) << "a failed send(span) delivered part of its records";
}

// The input's time after an advance is what every copy sees, and advance_to is atomic with its
// check: going backwards from the time another copy set throws, naming the input.
TEST(InputContract, AdvanceBehindAnotherCopysTimeThrowsNamingTheInput) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("requests");
  s.for_each([](int) {});
  auto ex = rt.run(g);
  auto copy = in;
  copy.advance_to(10);
  EXPECT_EQ(in.time(), 10u);
  try {
    in.advance_to(5);
    FAIL() << "advance_to went backwards";
  } catch (const sw::usage_error& e) {
    EXPECT_NE(std::string(e.what()).find("'requests'"), std::string::npos) << e.what();
  }
  in.close();
  ex.wait();
}
