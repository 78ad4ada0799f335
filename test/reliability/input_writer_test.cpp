// input_writer<T> (graph/input_writer.hpp): records keep the time of their writer's last
// advance_to, several writers and handles on one input lose nothing and never deliver a record
// at a time a probe reported complete, and every way a hand-over can fail says so with the
// count instead of dropping records silently. Randomized against a sequential model; seeds are
// printed and replayable (STREAMWEAVE_SEED).
#include <streamweave/streamweave.hpp>

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {

using stamped = std::pair<sw::timestamp, std::uint64_t>;

/// A sink that keeps every (time, record) it sees, for comparison with a model.
struct recorded {
  std::mutex m;
  std::vector<stamped> seen;
  void add(sw::timestamp t, std::uint64_t v) {
    const std::lock_guard lock(m);
    seen.emplace_back(t, v);
  }
  std::vector<stamped> sorted() {
    const std::lock_guard lock(m);
    auto v = seen;
    std::sort(v.begin(), v.end());
    return v;
  }
  std::size_t count_at_or_below(sw::timestamp t) {
    const std::lock_guard lock(m);
    return static_cast<std::size_t>(std::count_if(seen.begin(), seen.end(), [&](const stamped& s) { return s.first <= t; }));
  }
};

/// A running graph with batches of 100: one input of `uint64_t` collected at a sink.
struct collected_input {
  sw::runtime rt;
  sw::graph g;
  std::optional<sw::input_handle<std::uint64_t>> in;
  std::optional<sw::collection<std::uint64_t>> out;
  std::optional<sw::execution> ex;
  collected_input(std::size_t threads, const std::string& name)
      : rt(sw::runtime_options{.threads = threads, .batch_size = 100}) {
    auto [h, s] = g.input<std::uint64_t>(name);
    in.emplace(h);
    out.emplace(s.collect());
    ex.emplace(rt.run(g));
  }
};

sw::runtime_options random_options(std::mt19937_64& rng) {
  sw::runtime_options o;
  o.threads = 1 + rng() % 3;
  o.batch_size = 1 + rng() % 9;
  o.queue_capacity = 1 + rng() % 3;
  if (rng() % 3 == 0) o.queue_bytes = 8 * (1 + rng() % 40);  // batches cut by bytes too
  return o;
}

}  // namespace

// One writer: every record arrives once, at the time of the writer's last advance_to before
// its send; after advance_to(t + 1) and the probe reporting t complete, all of them are there.
TEST(InputWriter, RecordsKeepTheTimeOfTheWritersLastAdvance) {
  for (const std::uint64_t seed : sw::testing::seeds(7100, 12)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    sw::runtime rt(random_options(rng));
    sw::graph g("writer");
    auto [in, s] = g.input<std::uint64_t>("host");
    recorded sink;
    // The probe follows the recording operator: once it reports t complete, the operator has
    // seen every record at t.
    auto done = s.inspect([&](sw::timestamp t, const std::uint64_t& v) { sink.add(t, v); }, "record").probe();
    auto ex = rt.run(g);
    auto w = in.writer();
    std::vector<stamped> model;
    sw::timestamp now = 0;
    for (std::uint64_t v = 0; v < 3000; ++v) {
      w.send(v);
      model.emplace_back(now, v);
      const auto op = rng() % 100;
      if (op < 3) {
        now += 1 + rng() % 3;
        w.advance_to(now);
        if (rng() % 2 == 0) {  // request/response: everything before `now` is complete and there
          ASSERT_TRUE(done.wait_until_complete(now - 1, 10s));
          std::size_t expected = 0;
          for (const auto& m : model) expected += m.first < now ? 1 : 0;
          ASSERT_EQ(sink.count_at_or_below(now - 1), expected);
        }
      } else if (op < 5) {
        w.flush();
        EXPECT_EQ(w.held(), 0u);
      }
    }
    w.close();
    ASSERT_TRUE(ex.wait_for(30s));
    EXPECT_EQ(sink.sorted(), model);
  }
}

// Several threads, each with its own writer (one with the handle's send), advance one input
// concurrently: nothing is lost or duplicated, and no record reaches the sink at a time the
// probe on that input had already reported complete.
TEST(InputWriter, SeveralWritersOnOneInputLoseNothing) {
  for (const std::uint64_t seed : sw::testing::seeds(7200, 6)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    sw::runtime rt(random_options(rng));
    sw::graph g("writers");
    auto [in, s] = g.input<std::uint64_t>("shared");
    auto probe = s.probe();
    recorded sink;
    std::atomic<int> early{0};
    s.for_each(
        [&](sw::timestamp t, std::uint64_t v) {
          if (probe.frontier() > t) early.fetch_add(1);  // its batch is still counted: t is not complete
          sink.add(t, v);
        },
        "sink");
    auto ex = rt.run(g);
    constexpr std::uint64_t threads = 4, per_thread = 2000;
    std::vector<std::thread> senders;
    for (std::uint64_t k = 0; k < threads; ++k) {
      senders.emplace_back([&, k, h = in]() mutable {
        std::mt19937_64 r(seed * 17 + k);
        auto w = h.writer();
        for (std::uint64_t i = 0; i < per_thread; ++i) {
          const std::uint64_t v = k * per_thread + i;
          if (k == 0) h.send(v); else w.send(v);
          if (r() % 64 == 0) {
            const sw::timestamp t = h.time() + r() % 3;
            try {
              if (k == 0) h.advance_to(t); else w.advance_to(t);
            } catch (const sw::usage_error&) {
              // another thread advanced past t first: allowed, and the held records were sent
            }
          }
        }
      });  // the writer's destruction hands over what it still holds
    }
    for (auto& t : senders) t.join();
    in.close();
    ASSERT_TRUE(ex.wait_for(30s));
    EXPECT_EQ(early.load(), 0);
    std::vector<std::uint64_t> values;
    for (const auto& [t, v] : sink.sorted()) values.push_back(v);
    std::sort(values.begin(), values.end());
    ASSERT_EQ(values.size(), threads * per_thread);
    for (std::uint64_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], i);
  }
}

// A writer destroyed while it holds records hands them over; the input's close delivers them.
TEST(InputWriter, DestructionHandsOverWhatItHolds) {
  collected_input run(2, "in");
  {
    auto w = run.in->writer();
    for (std::uint64_t v = 0; v < 5; ++v) w.send(v);
    EXPECT_EQ(w.held(), 5u);
  }
  run.in->close();
  run.ex->wait();
  EXPECT_EQ(run.out->size(), 5u);
}

// Moving a writer keeps its records; assigning over a writer hands over what it held.
TEST(InputWriter, MovesKeepAndHandOverRecords) {
  collected_input run(1, "in");
  auto a = run.in->writer();
  a.send(1);
  auto b = std::move(a);
  EXPECT_EQ(a.held(), 0u);
  EXPECT_EQ(b.held(), 1u);
  auto c = run.in->writer();
  c.send(2);
  c.send(3);
  c = std::move(b);  // c's two records are handed over, b's one moves in
  EXPECT_EQ(c.held(), 1u);
  c.close();
  run.ex->wait();
  auto got = run.out->records();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::uint64_t>{1, 2, 3}));
}

// Records a writer holds when another copy closes the input cannot be sent: the next hand-over
// throws usage_error naming the input and the number of records, and later sends are refused.
TEST(InputWriter, HandOverAfterCloseReportsTheLostRecords) {
  collected_input run(1, "orders");
  auto w = run.in->writer();
  for (std::uint64_t v = 0; v < 3; ++v) w.send(v);
  run.in->close();
  try {
    w.flush();
    FAIL() << "flush after close did not throw";
  } catch (const sw::usage_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'orders'"), std::string::npos) << what;
    EXPECT_NE(what.find("3 records"), std::string::npos) << what;
  }
  EXPECT_EQ(w.held(), 0u);
  EXPECT_THROW(w.send(9), sw::usage_error);
  run.ex->wait();
  EXPECT_TRUE(run.out->records().empty());
}

TEST(InputWriter, SendBeforeTheRunIsAUsageError) {
  sw::graph g;
  auto [in, s] = g.input<int>("early");
  s.for_each([](int) {}, "sink");
  auto w = in.writer();
  try {
    w.send(1);
    FAIL() << "send before the run did not throw";
  } catch (const sw::usage_error& e) {
    EXPECT_NE(std::string(e.what()).find("'early'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(w.held(), 0u);
}

// A writer blocked on back-pressure is released with cancelled_error when the run is cancelled.
TEST(InputWriter, CancelReleasesABlockedWriter) {
  sw::runtime rt(sw::runtime_options{.threads = 1, .batch_size = 2, .queue_capacity = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto out = s.output(1);  // nobody pops: the queues fill up
  auto ex = rt.run(g);
  std::atomic<bool> released{false};
  std::thread sender([&, h = in] {
    auto w = h.writer();
    try {
      for (;;) w.send(1);
    } catch (const sw::cancelled_error&) {
      released = true;
    }
  });
  std::this_thread::sleep_for(50ms);
  ex.cancel();
  sender.join();
  EXPECT_TRUE(released.load());
  EXPECT_THROW(ex.wait(), sw::cancelled_error);
}

namespace {

/// A record whose copy throws on a chosen value (moves never throw).
struct fragile {
  int value = 0;
  fragile() = default;
  explicit fragile(int v) : value(v) {}
  fragile(const fragile& o) : value(o.value) {
    if (value == 13) throw std::runtime_error("copy of 13");
  }
  fragile(fragile&&) noexcept = default;
  fragile& operator=(const fragile&) = default;
  fragile& operator=(fragile&&) noexcept = default;
};

}  // namespace

// A copy that throws inside send(span) leaves every earlier record sent and the writer usable.
TEST(InputWriter, ACopyThatThrowsInSendSpanKeepsEarlierRecords) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 4});
  sw::graph g;
  auto [in, s] = g.input<fragile>("fragile");
  std::atomic<int> seen{0};
  s.for_each([&](const fragile&) { seen.fetch_add(1); }, "sink");
  auto ex = rt.run(g);
  auto w = in.writer();
  std::vector<fragile> records;
  for (int v = 0; v < 20; ++v) records.emplace_back(v);
  EXPECT_THROW(w.send(std::span<const fragile>(records)), std::runtime_error);
  EXPECT_EQ(w.held(), 13u % 4);  // 0..11 went in three full batches, 12 is held
  w.send(fragile(100));
  w.close();
  ex.wait();
  EXPECT_EQ(seen.load(), 14);
}

// Writers on several threads feed parallel instances through an exchange while another thread
// cancels at a random moment: every sender ends (normally or with cancelled_error), nothing
// hangs, and wait() reports the cancellation or completion.
TEST(InputWriter, CancelAtAnyMomentWithWritersIntoParallelInstances) {
  for (const std::uint64_t seed : sw::testing::seeds(7300, 20)) {
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    sw::runtime rt(random_options(rng));
    sw::graph g("cancel");
    auto [in, s] = g.input<std::uint64_t>("shared");
    std::atomic<std::uint64_t> seen{0};
    s.exchange([](std::uint64_t v) { return v; }, 3).for_each([&](std::uint64_t) { seen.fetch_add(1); }, "count");
    auto ex = rt.run(g);
    std::vector<std::thread> senders;
    for (std::uint64_t k = 0; k < 3; ++k)
      senders.emplace_back([&, k, h = in]() mutable {
        try {
          auto w = h.writer();
          for (std::uint64_t i = 0; i < 5000; ++i) {
            w.send(k * 5000 + i);
            if (i % 700 == 0) w.advance_to(w.time() + 1);
          }
          w.flush();
        } catch (const sw::cancelled_error&) {
        } catch (const sw::usage_error&) {  // advance_to behind another thread's time
        }
      });
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
    ex.cancel();
    for (auto& t : senders) t.join();
    in.close();
    try {
      ex.wait();
    } catch (const sw::cancelled_error&) {
    }
    EXPECT_LE(seen.load(), 15000u);
  }
}
