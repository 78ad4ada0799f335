// trace_ring (lib/observe/trace_ring.hpp), the activation traces' lock-free ring: it keeps the
// last `capacity` items, and a copy taken while one thread pushes holds only whole items, in
// order, consecutive, ending no later than what was pushed, also while the writer allocates the
// ring's chunks (a chunk of 3 or 4 items here, so most runs allocate many while copies read).
// Seeded (printed, replayable): capacity, item count and the reader's pace.
#include "observe/trace_ring.hpp"

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

using streamweave::internal::trace_ring;
namespace sw_seed = streamweave::testing;

namespace {

// The shape of activation_span (40 bytes, with padding), every field derived from `index`, so a
// torn copy (words of two different items) shows.
struct probe_item {
  std::uint64_t index = 0;
  std::uint64_t mixed = 0;
  std::uint32_t low = 0;
  std::uint64_t inverted = 0;
  std::uint64_t squared = 0;
};

probe_item item_for(std::uint64_t i) {
  return probe_item{i, i * 0x9E3779B97F4A7C15ull, static_cast<std::uint32_t>(i), ~i, i * i};
}

bool whole(const probe_item& p) {
  const probe_item e = item_for(p.index);
  return p.mixed == e.mixed && p.low == e.low && p.inverted == e.inverted && p.squared == e.squared;
}

}  // namespace

template <std::size_t chunk>
void keeps_the_last_capacity_items(std::initializer_list<std::size_t> capacities) {
  for (std::size_t capacity : capacities) {
    trace_ring<probe_item, chunk> ring(capacity);
    for (std::uint64_t pushed = 0; pushed <= 3 * capacity + 1; ++pushed) {
      std::uint64_t overwritten = 99;
      const std::vector<probe_item> got = ring.copy(overwritten);
      const std::uint64_t kept = pushed < capacity ? pushed : capacity;
      ASSERT_EQ(got.size(), kept) << "capacity " << capacity << ", chunk " << chunk << ", pushed " << pushed;
      ASSERT_EQ(overwritten, pushed - kept) << "capacity " << capacity << ", chunk " << chunk << ", pushed " << pushed;
      for (std::size_t k = 0; k < got.size(); ++k) {
        ASSERT_EQ(got[k].index, pushed - kept + k);
        ASSERT_TRUE(whole(got[k]));
      }
      ring.push(item_for(pushed));
    }
  }
}

TEST(TraceRing, KeepsTheLastCapacityItemsAndCountsTheRest) {
  keeps_the_last_capacity_items<1024>({1, 2, 3, 8, 1023, 1024, 1025});
  // Capacities below, at and across chunk boundaries, the last chunk short or full.
  keeps_the_last_capacity_items<3>({1, 2, 3, 4, 5, 6, 7, 10});
}

template <std::size_t chunk>
void copies_hold_only_whole_items(std::uint64_t first_seed) {
  std::uint64_t copies = 0, dropped_as_rewritten = 0;
  for (auto seed : sw_seed::seeds(first_seed, 24)) {
    SCOPED_TRACE(sw_seed::seed_note(seed));
    std::mt19937_64 r(seed);
    const std::size_t capacity = 1 + r() % (seed % 3 == 0 ? 64 : 4);
    const std::uint64_t items = 20'000 + r() % 40'000;
    const unsigned reader_pause = static_cast<unsigned>(r() % 3);  // 0: copy back to back
    trace_ring<probe_item, chunk> ring(capacity);
    std::atomic<std::uint64_t> pushed{0};
    std::thread writer([&] {
      for (std::uint64_t i = 0; i < items; ++i) {
        ring.push(item_for(i));
        pushed.store(i + 1, std::memory_order_release);
      }
    });
    std::uint64_t last_end = 0;
    for (;;) {
      const bool writer_done = pushed.load(std::memory_order_acquire) == items;
      std::uint64_t overwritten = 0;
      const std::vector<probe_item> got = ring.copy(overwritten);
      const std::uint64_t end = overwritten + got.size();
      ++copies;
      ASSERT_LE(got.size(), capacity);
      // The ring publishes an item just before the writer counts it here: at most one ahead.
      ASSERT_LE(end, pushed.load(std::memory_order_acquire) + 1) << "a copy holds items not yet pushed";
      ASSERT_GE(end, last_end) << "copies went backwards";
      if (got.size() < capacity && end >= capacity) ++dropped_as_rewritten;
      for (std::size_t k = 0; k < got.size(); ++k) {
        ASSERT_EQ(got[k].index, overwritten + k) << "copy " << copies << ", item " << k;
        ASSERT_TRUE(whole(got[k])) << "torn item " << got[k].index << " in copy " << copies;
      }
      last_end = end;
      if (writer_done) {
        ASSERT_EQ(end, items) << "after the writer stopped, a copy ends at its last item";
        ASSERT_EQ(got.size(), capacity < items ? capacity : items);
        break;
      }
      for (unsigned p = 0; p < reader_pause; ++p) std::this_thread::yield();
    }
    writer.join();
  }
  std::cout << "chunk " << chunk << ": " << copies << " copies, " << dropped_as_rewritten
            << " of them left out items rewritten while copied\n";
}

TEST(TraceRing, CopiesTakenWhileOneThreadPushesHoldOnlyWholeItems) {
  copies_hold_only_whole_items<1024>(9700);
  copies_hold_only_whole_items<4>(9800);
}
