// edge_queue: capacity by count and by bytes, the counters, producer wake-ups, and several
// producers racing one consumer against a sequential oracle (nothing lost or duplicated, each
// producer's batches in order), for both kinds. Seeds are printed; replay with
// STREAMWEAVE_SEED=<seed>.
#include "queue/edge_queue.hpp"
#include "support/seed.hpp"
#include "support/watchdog.hpp"

#include <streamweave/detail/batch.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

namespace sw = streamweave;
using sw::detail::batch;
using sw::internal::edge_queue;

namespace {

/// A poolless batch of `n` ints at time `t` (deleted by release_batch).
batch<int>* make_batch(sw::timestamp t, std::size_t n = 1) {
  auto* b = new batch<int>();
  b->time = t;
  b->records.assign(n, static_cast<int>(t));
  return b;
}

/// Counts its wake-ups.
struct counting_waker final : sw::internal::producer_waker {
  void wake() noexcept override { wakes.fetch_add(1, std::memory_order_seq_cst); }
  std::atomic<int> wakes{0};
};

class EdgeQueueKinds : public ::testing::TestWithParam<edge_queue::kind> {};

}  // namespace

TEST_P(EdgeQueueKinds, RefusesAtCapacityAndCountsDepth) {
  edge_queue q(GetParam(), 3);
  const std::size_t p = q.add_producer();
  EXPECT_FALSE(q.has_items());
  for (sw::timestamp t = 0; t < 3; ++t) ASSERT_TRUE(q.try_push(make_batch(t), p));
  batch<int>* extra = make_batch(3);
  EXPECT_FALSE(q.try_push(extra, p));
  EXPECT_EQ(q.depth(), 3u);
  EXPECT_EQ(q.max_depth(), 3u);
  EXPECT_TRUE(q.has_items());
  sw::detail::batch_base* b = q.try_pop();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->time, 0u);
  sw::detail::release_batch(b);
  EXPECT_EQ(q.depth(), 2u);
  EXPECT_TRUE(q.try_push(extra, p)) << "a pop frees a slot";
  EXPECT_EQ(q.max_depth(), 3u);
  while ((b = q.try_pop()) != nullptr) sw::detail::release_batch(b);
  EXPECT_EQ(q.depth(), 0u);
  EXPECT_FALSE(q.has_items());
}

TEST_P(EdgeQueueKinds, ByteBudgetAdmitsWhatFitsAndAnOversizedBatchAlone) {
  // batch<int> records are sizeof(int) bytes each.
  const std::size_t budget = 10 * sizeof(int);
  edge_queue q(GetParam(), 100, budget);
  const std::size_t p = q.add_producer();
  ASSERT_TRUE(q.try_push(make_batch(0, 6), p));
  batch<int>* five = make_batch(1, 5);
  EXPECT_FALSE(q.try_push(five, p)) << "6 + 5 records exceed a 10-record budget";
  EXPECT_EQ(q.bytes(), 6 * sizeof(int));
  ASSERT_TRUE(q.try_push(make_batch(2, 4), p));
  EXPECT_EQ(q.bytes(), budget);
  EXPECT_EQ(q.max_bytes(), budget);
  sw::detail::release_batch(q.try_pop());
  sw::detail::release_batch(q.try_pop());
  EXPECT_EQ(q.bytes(), 0u);
  sw::detail::release_batch(five);
  // Larger than the whole budget: passes into an empty queue, and nothing passes beside it.
  ASSERT_TRUE(q.try_push(make_batch(3, 25), p));
  batch<int>* one = make_batch(4, 1);
  EXPECT_FALSE(q.try_push(one, p));
  EXPECT_EQ(q.max_bytes(), 25 * sizeof(int));
  sw::detail::release_batch(q.try_pop());
  EXPECT_TRUE(q.try_push(one, p));
  sw::detail::release_batch(q.try_pop());
  EXPECT_EQ(q.byte_budget(), budget);
}

TEST_P(EdgeQueueKinds, AWaitingProducerIsWokenOnceByTheNextPop) {
  edge_queue q(GetParam(), 1);
  const std::size_t p = q.add_producer();
  ASSERT_TRUE(q.try_push(make_batch(0), p));
  counting_waker w;
  q.add_waiter(p, &w);
  EXPECT_EQ(w.wakes.load(), 0) << "woken while the queue was still full";
  q.add_waiter(p, &w);  // idempotent per producer
  sw::detail::release_batch(q.try_pop());
  EXPECT_EQ(w.wakes.load(), 1);
  ASSERT_TRUE(q.try_push(make_batch(1), p));
  sw::detail::release_batch(q.try_pop());
  EXPECT_EQ(w.wakes.load(), 1) << "a wake-up is for one registration only";
}

TEST_P(EdgeQueueKinds, AWaiterRegisteringWhenThereIsRoomIsWokenAtOnce) {
  edge_queue q(GetParam(), 2, 8 * sizeof(int));
  const std::size_t p = q.add_producer();
  ASSERT_TRUE(q.try_push(make_batch(0, 4), p));
  counting_waker fits;
  q.add_waiter(p, &fits, 4 * sizeof(int));
  EXPECT_EQ(fits.wakes.load(), 1) << "room for the batch was already there";
  counting_waker too_big;
  q.add_waiter(p, &too_big, 5 * sizeof(int));
  EXPECT_EQ(too_big.wakes.load(), 0) << "woken for room its batch cannot use";
  sw::detail::release_batch(q.try_pop());
  EXPECT_EQ(too_big.wakes.load(), 1);
}

TEST_P(EdgeQueueKinds, ProducersRacingTheConsumerLoseNothingAndKeepTheirOrder) {
  const bool single = GetParam() == edge_queue::kind::spsc;
  for (std::size_t i = 0; i < sw::testing::runs(12); ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i, 7300);
    SCOPED_TRACE(sw::testing::seed_note(seed));
    sw::testing::watchdog dog("EdgeQueue race " + sw::testing::seed_note(seed), std::chrono::seconds(60));
    std::mt19937_64 rng(seed);
    const std::size_t producers = single ? 1 : 2 + rng() % 3;
    const std::size_t capacity = 1 + rng() % 6;
    const std::size_t budget = rng() % 2 == 0 ? 0 : (4 + rng() % 12) * sizeof(int);
    const sw::timestamp per_producer = 2000 + rng() % 2000;
    edge_queue q(GetParam(), capacity, budget);
    std::vector<std::size_t> ids;
    for (std::size_t k = 0; k < producers; ++k) ids.push_back(q.add_producer());

    // Producers block on their waker (as units and input handles do) instead of spinning.
    struct flag_waker final : sw::internal::producer_waker {
      void wake() noexcept override {
        woken.store(true, std::memory_order_seq_cst);
        woken.notify_one();
      }
      std::atomic<bool> woken{false};
    };
    std::vector<flag_waker> wakers(producers);
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < producers; ++k)
      threads.emplace_back([&, k, s = rng()] {
        std::mt19937_64 r(s);
        for (sw::timestamp t = 0; t < per_producer; ++t) {
          batch<int>* b = make_batch(t, 1 + r() % 6);
          b->records[0] = static_cast<int>(k);
          while (!q.try_push(b, ids[k])) {
            wakers[k].woken.store(false, std::memory_order_seq_cst);
            q.add_waiter(ids[k], &wakers[k], b->bytes());
            if (q.try_push(b, ids[k])) break;
            wakers[k].woken.wait(false, std::memory_order_seq_cst);
          }
        }
      });
    // The oracle: producer k's batches arrive as times 0, 1, ..., per_producer - 1.
    std::vector<sw::timestamp> next(producers, 0);
    std::size_t received = 0;
    std::size_t bad_depth = 0;
    while (received < producers * per_producer) {
      sw::detail::batch_base* b = q.try_pop();
      if (b == nullptr) {
        if (rng() % 8 == 0) std::this_thread::yield();
        continue;
      }
      // Failures are counted, not asserted, so the producers are always joined.
      if (q.depth() > capacity) ++bad_depth;
      const auto k = static_cast<std::size_t>(static_cast<batch<int>*>(b)->records[0]);
      if (k >= producers || b->time != next[k]) {
        ADD_FAILURE() << "producer " << k << " sent time " << b->time << " when "
                      << (k < producers ? next[k] : 0) << " was due: lost, duplicated or out of order";
        break;
      }
      ++next[k];
      ++received;
      sw::detail::release_batch(b);
    }
    for (auto& t : threads) t.join();
    if (::testing::Test::HasFailure()) return;
    EXPECT_EQ(bad_depth, 0u) << "depth above capacity";
    EXPECT_EQ(q.try_pop(), nullptr);
    EXPECT_LE(q.max_depth(), capacity);
    if (budget != 0) {
      EXPECT_LE(q.max_bytes(), std::max<std::size_t>(budget, 6 * sizeof(int)));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, EdgeQueueKinds, ::testing::Values(edge_queue::kind::spsc, edge_queue::kind::mpmc),
                         [](const auto& info) { return info.param == edge_queue::kind::spsc ? "Spsc" : "Mpmc"; });
