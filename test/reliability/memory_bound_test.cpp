// Memory stays bounded under back-pressure: an event-time source whose watermark moves with
// every record stops generating while its consumer is full, and edge queues can be bounded in
// bytes for large records.
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {
struct ev {
  std::uint64_t t;
};
}  // namespace

// Point 18: the watermark advances with every record, so no batch ever fills. The source must
// still leave its activation when blocked or out of budget, not drain the generator into tiny
// batches that pile up in its pending list.
TEST(MemoryBound, EventTimeSourceStopsWhileItsConsumerIsFull) {
  constexpr std::uint64_t n = 20000;
  constexpr std::size_t budget = 4, capacity = 2, buffer = 8;
  std::atomic<std::uint64_t> generated{0};
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 1024, .queue_capacity = capacity,
                                     .activation_budget = budget});
  sw::graph g;
  auto s = sw::add_event_time_source(
      g, "ticks", 1,
      [&generated](std::size_t, std::size_t) {
        return [&generated, i = std::uint64_t{0}]() mutable -> std::optional<ev> {
          if (i == n) return std::nullopt;
          generated.fetch_add(1, std::memory_order_relaxed);
          return ev{i++};
        };
      },
      [](const ev& e) { return e.t; }, 0);
  auto out = s.output(buffer);
  auto ex = rt.run(g);
  // Nobody pops: the sink's buffer fills, then the queue; then give the source time to run on.
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (ex.stats().front().depth < capacity && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(ex.stats().front().depth, capacity) << "the queue never filled";
  std::this_thread::sleep_for(100ms);
  const std::uint64_t while_blocked = generated.load();
  // One record per batch: the sink's buffer, the queue, the batches of one activation.
  const std::uint64_t bound = buffer + 1 + capacity + budget + 1;
  EXPECT_LE(while_blocked, bound) << "the source generated " << while_blocked
                                  << " records while its consumer was full (one batch per record)";
  std::uint64_t popped = 0;
  while (auto r = out.pop(10s)) ++popped;
  EXPECT_EQ(popped, n);
  ex.wait();
}

namespace {
/// A large record that owns its payload on the heap.
struct blob {
  std::vector<char> payload;
};
}  // namespace

template <>
struct streamweave::record_size<blob> {
  static std::size_t bytes(const blob& b) noexcept { return sizeof(blob) + b.payload.size(); }
};

// Point 13: with 1 MiB records, 64 batches x 1024 records per edge would be 64 GiB. A byte
// budget per edge bounds what each queue holds, whatever the batch and queue sizes.
TEST(MemoryBound, QueueBytesBoundsEveryEdgeForLargeRecords) {
  constexpr std::size_t record = std::size_t{1} << 20, budget = 8 * record;
  constexpr int records = 64;
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 4, .queue_capacity = 64, .queue_bytes = budget});
  sw::graph g;
  auto [in, s] = g.input<blob>("blobs");
  auto sizes = s.map([](const blob& b) { return b; }, "copy")
                   .exchange([](const blob& b) { return b.payload.size(); }, 2)
                   .map([](const blob& b) { return b; }, "copy again")
                   .output(2);
  auto ex = rt.run(g);
  std::thread sender([h = in]() mutable {
    for (int i = 0; i < records; ++i) h.send(blob{std::vector<char>(record + static_cast<std::size_t>(i % 3), 'x')});
    h.close();
  });
  std::this_thread::sleep_for(200ms);  // nobody pops yet: every queue fills up to its budget
  int popped = 0;
  while (auto r = sizes.pop(10s)) ++popped;
  sender.join();
  ex.wait();
  EXPECT_EQ(popped, records);
  std::size_t most = 0;
  for (const auto& q : ex.stats()) {
    EXPECT_EQ(q.byte_budget, budget);
    // At its peak, an edge held at most the budget plus one batch (of 4 records here).
    EXPECT_LE(q.max_bytes, budget + 4 * (record + 2 + sizeof(blob))) << q.consumer << "#" << q.instance;
    most = std::max(most, q.max_bytes);
  }
  EXPECT_GT(most, budget / 2) << "the queues never filled: the bound was not tested";
}

TEST(MemoryBound, ABatchLargerThanTheBudgetStillPassesAlone) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 16, .queue_bytes = 300});
  sw::graph g;
  auto [in, s] = g.input<std::array<char, 400>>("wide");
  auto got = s.map([](const std::array<char, 400>& a) { return a[0]; }).collect();
  auto ex = rt.run(g);
  std::array<char, 400> a{};
  std::vector<std::array<char, 400>> many(50, a);
  in.send(many);  // staged batches are cut at a quarter of the budget: one 400-byte record each
  in.close();
  ex.wait();
  EXPECT_EQ(got.size(), 50u);
  // Every batch (400 bytes) is larger than the budget (300): each passed into an empty queue.
  for (const auto& q : ex.stats()) EXPECT_EQ(q.max_bytes, 400u);
}
