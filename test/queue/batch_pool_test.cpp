// batch_pool and the batch reference counts: recycling keeps capacity, shared batches return
// once, and batches released on other threads come back to their owner. Seeds are printed;
// replay with STREAMWEAVE_SEED=<seed>.
#include "queue/batch_pool.hpp"
#include "support/seed.hpp"

#include <streamweave/detail/batch.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace sw = streamweave;
using sw::detail::acquire_batch;
using sw::detail::batch;
using sw::detail::batch_base;
using sw::detail::batch_pool;
using sw::detail::release_batch;

TEST(BatchPool, AnEmptyPoolHasNothingToTake) {
  batch_pool pool;
  EXPECT_EQ(sw::detail::pool_take(pool), nullptr);
}

TEST(BatchPool, AReleasedBatchComesBackEmptyWithItsCapacity) {
  batch_pool pool;
  batch<int>* b = acquire_batch<int>(pool, 5, 100);
  EXPECT_EQ(b->time, 5u);
  EXPECT_GE(b->records.capacity(), 100u);
  b->records.assign(50, 7);
  release_batch(b);  // another thread's path: the returned stack
  batch<int>* again = acquire_batch<int>(pool, 9, 10);
  EXPECT_EQ(again, b);
  EXPECT_TRUE(again->records.empty());
  EXPECT_GE(again->records.capacity(), 100u);
  EXPECT_EQ(again->time, 9u);
  EXPECT_EQ(again->refs.load(), 1u);
  release_batch(again, &pool);  // the owner's path: its local list
  EXPECT_EQ(acquire_batch<int>(pool, 0, 1), b);
  release_batch(b);
}

TEST(BatchPool, ASharedBatchReturnsOnlyAfterItsLastReference) {
  batch_pool pool;
  batch<int>* b = acquire_batch<int>(pool, 0, 4);
  batch_base* second = sw::detail::share_batch(*b);
  ASSERT_EQ(second, b);
  release_batch(b);
  EXPECT_EQ(sw::detail::pool_take(pool), nullptr) << "returned while a reference was still held";
  release_batch(second);
  EXPECT_EQ(sw::detail::pool_take(pool), b);
  delete b;  // taken out of the pool by hand: ours to free
}

TEST(BatchPool, BatchWithoutAPoolIsDeletedOnRelease) {
  auto* b = new batch<int>();  // ASan reports a leak if release_batch does not delete it
  b->records.push_back(1);
  release_batch(b);
}

TEST(BatchPool, BatchesReleasedOnManyThreadsAllComeBack) {
  for (std::size_t i = 0; i < sw::testing::runs(10); ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i, 7200);
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    const std::size_t releasers = 2 + rng() % 3;
    const std::size_t count = 200 + rng() % 300;
    batch_pool pool;
    std::vector<batch<int>*> made;
    for (std::size_t k = 0; k < count; ++k) {
      batch<int>* b = acquire_batch<int>(pool, k, 8);
      b->records.push_back(static_cast<int>(k));
      // Each releaser drops one reference; the last one recycles.
      b->refs.store(static_cast<std::uint32_t>(releasers), std::memory_order_relaxed);
      made.push_back(b);
    }
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < releasers; ++t)
      threads.emplace_back([&, t, s = rng()] {
        std::mt19937_64 r(s);
        std::vector<batch<int>*> mine = made;
        std::shuffle(mine.begin(), mine.end(), r);
        for (batch<int>* b : mine) release_batch(b, t == 0 ? &pool : nullptr);
      });
    for (auto& t : threads) t.join();
    // The oracle: every batch made came back exactly once, emptied.
    std::set<batch_base*> back;
    while (batch_base* b = sw::detail::pool_take(pool)) {
      EXPECT_TRUE(back.insert(b).second) << "a batch came back twice";
      EXPECT_EQ(b->size(), 0u);
      delete b;
    }
    EXPECT_EQ(back, std::set<batch_base*>(made.begin(), made.end()));
  }
}

// The owner takes and uses batches while other threads return them: every batch is in exactly
// one place at a time (taken by the owner, held by a releaser, or free), none is lost and none
// comes back twice. The oracle is the set of batches made.
TEST(BatchPool, OwnerTakesWhileOtherThreadsReturn) {
  for (std::size_t i = 0; i < sw::testing::runs(10); ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i, 7300);
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    const std::size_t releasers = 1 + rng() % 3;
    const std::size_t count = 16 + rng() % 64;
    const std::size_t rounds = 2000 + rng() % 2000;
    batch_pool pool;
    std::vector<batch<int>*> made;
    for (std::size_t k = 0; k < count; ++k) made.push_back(acquire_batch<int>(pool, k, 8));
    for (batch<int>* b : made) release_batch(b, &pool);  // all free, on the owner's list
    // Hand-off slots from the owner to the releasers (one producer, one consumer each).
    std::vector<std::atomic<batch<int>*>> slots(releasers);
    std::atomic<bool> done{false};
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < releasers; ++t)
      threads.emplace_back([&, t] {
        for (;;) {
          batch<int>* b = slots[t].exchange(nullptr, std::memory_order_acquire);
          if (b != nullptr) {
            EXPECT_EQ(b->records.size(), 1u);
            release_batch(b);  // not the owner: the returned stack
          } else if (done.load(std::memory_order_acquire)) {
            if (slots[t].load(std::memory_order_acquire) == nullptr) return;
          } else {
            std::this_thread::yield();
          }
        }
      });
    std::size_t handed = 0;
    for (std::size_t r = 0; r < rounds; ++r) {
      batch<int>* b = acquire_batch<int>(pool, r, 8);
      EXPECT_TRUE(b->records.empty()) << "a batch came back without being reset";
      b->records.push_back(static_cast<int>(r));
      const std::size_t t = static_cast<std::size_t>(rng() % (releasers + 1));
      batch<int>* expected = nullptr;
      if (t < releasers && slots[t].compare_exchange_strong(expected, b, std::memory_order_release)) {
        ++handed;
      } else {
        release_batch(b, &pool);  // the owner's own path
      }
    }
    done.store(true, std::memory_order_release);
    for (auto& th : threads) th.join();
    std::set<batch_base*> back;
    std::size_t fresh = 0;
    while (batch_base* b = sw::detail::pool_take(pool)) {
      EXPECT_TRUE(back.insert(b).second) << "a batch was free twice";
      EXPECT_EQ(b->size(), 0u);
      if (std::find(made.begin(), made.end(), b) == made.end()) ++fresh;
      delete b;
    }
    // Batches made when the pool ran dry (every one handed out) are freed here too.
    for (batch<int>* b : made) EXPECT_EQ(back.count(b), 1u) << "a batch was lost";
    EXPECT_EQ(back.size(), made.size() + fresh);
    EXPECT_GT(handed, 0u) << "no batch took the other threads' path";
  }
}
