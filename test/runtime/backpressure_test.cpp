// Back-pressure: queues never exceed their capacity (runtime counters) and send blocks.
#include <streamweave/streamweave.hpp>

#include "support/small_queues.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace sw = streamweave;
using namespace std::chrono_literals;

TEST(Backpressure, SlowSinkBoundsEveryQueueAndBlocksSend) {
  sw::runtime rt(sw::testing::small_queues(2, 4, 3));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  std::atomic<int> consumed{0};
  std::atomic<bool> slow{true};
  auto fan = s.map([](int x) { return x + 1; }, "map");
  fan.exchange([](int x) { return x; }, 2).filter([](int) { return true; }, "keep").for_each([&](int) {
    if (slow.load()) std::this_thread::sleep_for(200us);
    consumed.fetch_add(1);
  }, "slow-sink");
  fan.for_each([](int) {}, "fast-sink");
  auto ex = rt.run(g);

  std::atomic<int> sent{0};
  std::thread sender([&] {
    for (int i = 0; i < 4000; ++i) {
      in.send(i);
      sent.fetch_add(1);
    }
    in.close();
  });
  // While the sink is slow, the sender must be held back: with capacity 3 batches of 4 records
  // on each of a handful of edges, only a small number of records can be in flight.
  std::this_thread::sleep_for(100ms);
  const int in_flight = sent.load() - consumed.load();
  EXPECT_LT(in_flight, 400) << "send() should block instead of queueing without bound";
  EXPECT_LT(sent.load(), 4000);
  slow = false;
  sender.join();
  ex.wait();
  EXPECT_EQ(consumed.load(), 4000);
  const auto stats = ex.stats();
  ASSERT_FALSE(stats.empty());
  std::size_t max_seen = 0;
  for (const auto& q : stats) {
    EXPECT_LE(q.max_depth, q.capacity) << q.consumer << " instance " << q.instance;
    EXPECT_EQ(q.capacity, 3u);
    EXPECT_EQ(q.depth, 0u) << "everything was consumed";
    max_seen = std::max(max_seen, q.max_depth);
  }
  EXPECT_EQ(max_seen, 3u) << "the slow sink should have filled some queue to capacity";
}

namespace {

/// A sink that takes nothing until `hold` is cleared, and counts what it took. The sink's
/// thread reads `hold` and writes `consumed`; the test thread does the opposite (seq_cst).
struct held_sink {
  std::atomic<bool> hold{true};
  std::atomic<int> consumed{0};
  void attach(const sw::stream<int>& s) {
    s.for_each([this](int) {
      while (hold.load()) std::this_thread::sleep_for(1ms);
      consumed.fetch_add(1);
    });
  }
};

}  // namespace

TEST(Backpressure, TrySendReturnsFalseInsteadOfBlocking) {
  sw::runtime rt(sw::testing::small_queues(1, 2, 1));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  held_sink sink;
  sink.attach(s);
  auto ex = rt.run(g);
  int accepted = 0;
  bool refused = false;
  for (int i = 0; i < 1000 && !refused; ++i) {
    if (in.try_send(i)) {
      ++accepted;
    } else {
      refused = true;
    }
  }
  EXPECT_TRUE(refused) << "try_send must refuse when the graph is back-pressured";
  EXPECT_LT(accepted, 20);
  sink.hold = false;
  in.close();
  ex.wait();
  EXPECT_EQ(sink.consumed.load(), accepted);
}

TEST(Backpressure, TryFlushMovesAcceptedRecordsThatMetAFullQueue) {
  sw::runtime rt(sw::testing::small_queues(1, 2, 1));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  held_sink sink;
  sink.attach(s);
  auto ex = rt.run(g);
  int accepted = 0;
  while (accepted < 1000 && in.try_send(accepted)) ++accepted;
  ASSERT_LT(accepted, 1000) << "try_send never refused";
  EXPECT_FALSE(in.try_flush()) << "a batch waits for space while the sink holds";
  sink.hold = false;
  // Only calls of the input move what it accepted: no send, advance or close from here on.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!in.try_flush() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  while (sink.consumed.load() < accepted && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(sink.consumed.load(), accepted) << "accepted records stayed behind before close()";
  in.close();
  ex.wait();
  EXPECT_EQ(sink.consumed.load(), accepted);
}

TEST(Backpressure, ARefusedTrySendLeavesTheRecordAsItWas) {
  sw::runtime rt(sw::testing::small_queues(1, 2, 1));
  sw::graph g;
  auto [in, s] = g.input<std::string>("in");
  std::atomic<bool> hold{true};
  auto got = s.inspect([&](const std::string&) {
               while (hold.load()) std::this_thread::sleep_for(1ms);
             }).collect();
  auto ex = rt.run(g);
  const std::string long_text(100, 'x');  // past the small-string buffer: a move empties it
  std::size_t accepted = 0;
  std::string record;
  for (int i = 0; i < 1000; ++i) {
    record = long_text + std::to_string(i);
    const std::string before = record;
    if (!in.try_send(std::move(record))) {
      EXPECT_EQ(record, before) << "a refused record must be left as it was";
      break;
    }
    ++accepted;
  }
  ASSERT_LT(accepted, 1000u) << "try_send never refused";
  const std::string lvalue = record;
  EXPECT_FALSE(in.try_send(lvalue));  // still back-pressured; a const lvalue is never moved
  EXPECT_EQ(lvalue, record);
  hold = false;
  in.send(std::move(record));
  in.close();
  ex.wait();
  EXPECT_EQ(got.size(), accepted + 1);
}

TEST(Backpressure, OutputHandleBufferIsBounded) {
  sw::runtime rt(sw::testing::small_queues(2, 4, 2));
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto out = s.output(10, "pull");
  auto ex = rt.run(g);
  std::atomic<int> sent{0};
  std::thread sender([&] {
    for (int i = 0; i < 1000; ++i) {
      in.send(i);
      sent.fetch_add(1);
    }
    in.close();
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_LT(sent.load(), 200) << "nobody pulls: the sender must be held back";
  int n = 0;
  while (out.pop(10s)) ++n;
  sender.join();
  ex.wait();
  EXPECT_EQ(n, 1000);
}
