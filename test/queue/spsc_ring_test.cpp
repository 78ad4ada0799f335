// spsc_ring: capacity, order, full and empty, and one producer racing one consumer against a
// sequential oracle (the sequence pushed is the sequence popped). Seeds are printed; replay
// with STREAMWEAVE_SEED=<seed>.
#include "queue/spsc_ring.hpp"
#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <thread>
#include <vector>

namespace sw = streamweave;
using sw::internal::spsc_ring;

TEST(SpscRing, HoldsThePowerOfTwoAtOrAboveItsCapacity) {
  for (const std::size_t asked : {0u, 1u, 2u, 3u, 5u, 8u, 100u}) {
    spsc_ring<int> ring(asked);
    std::size_t held = 0;
    while (ring.try_push(static_cast<int>(held))) ++held;
    std::size_t expected = 2;
    while (expected < asked) expected *= 2;
    EXPECT_EQ(held, expected) << "capacity asked " << asked;
  }
}

TEST(SpscRing, PopsInPushOrderAndReportsEmpty) {
  spsc_ring<int> ring(4);
  int out = -1;
  EXPECT_FALSE(ring.try_pop(out));
  for (int round = 0; round < 10; ++round) {  // wraps around the slots several times
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(ring.try_push(round * 10 + i));
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(ring.try_pop(out));
      EXPECT_EQ(out, round * 10 + i);
    }
    EXPECT_FALSE(ring.try_pop(out));
  }
}

TEST(SpscRing, FullRingRefusesUntilAPopFreesASlot) {
  spsc_ring<int> ring(2);
  ASSERT_TRUE(ring.try_push(1));
  ASSERT_TRUE(ring.try_push(2));
  EXPECT_FALSE(ring.try_push(3));
  int out = 0;
  ASSERT_TRUE(ring.try_pop(out));
  EXPECT_EQ(out, 1);
  EXPECT_TRUE(ring.try_push(3));
  EXPECT_FALSE(ring.try_push(4));
}

TEST(SpscRing, ProducerRacingConsumerDeliversEverythingInOrder) {
  for (std::size_t i = 0; i < sw::testing::runs(20); ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i, 7100);
    SCOPED_TRACE(sw::testing::seed_note(seed));
    std::mt19937_64 rng(seed);
    const std::size_t capacity = std::size_t{1} << (rng() % 5);
    const std::uint64_t count = 20000 + rng() % 20000;
    const std::uint64_t producer_seed = rng();
    spsc_ring<std::uint64_t> ring(capacity);
    std::thread producer([&] {
      std::mt19937_64 r(producer_seed);
      for (std::uint64_t v = 0; v < count;) {
        if (ring.try_push(v)) {
          ++v;
        } else if (r() % 4 == 0) {
          std::this_thread::yield();
        }
      }
    });
    std::vector<std::uint64_t> popped;  // the oracle: exactly 0, 1, ..., count - 1
    popped.reserve(count);
    std::uint64_t v = 0;
    while (popped.size() < count)
      if (ring.try_pop(v)) popped.push_back(v);
    producer.join();
    for (std::uint64_t k = 0; k < count; ++k) ASSERT_EQ(popped[k], k) << "capacity " << capacity;
    EXPECT_FALSE(ring.try_pop(v));
  }
}
