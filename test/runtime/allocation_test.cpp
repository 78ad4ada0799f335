// Batch memory is recycled: steady-state flow allocates (almost) nothing per batch.
// This executable replaces the global operator new to count allocations.
#include <streamweave/streamweave.hpp>

#include "support/counting_new.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace sw = streamweave;

TEST(Allocation, SteadyStatePipelineDoesNotAllocatePerBatch) {
  sw::runtime_options o;
  o.threads = 2;
  o.batch_size = 256;
  // Batch objects are created up to the high-water mark of batches in flight, which queue
  // capacity bounds; a small capacity reaches that mark during the first half.
  o.queue_capacity = 4;
  sw::runtime rt(o);
  sw::graph g;
  constexpr std::uint64_t n = 4'000'000;
  std::atomic<std::uint64_t> sink_count{0};
  auto [in, s] = g.input<std::uint64_t>("in");
  // A queue between the input and the map, a fan-out, and an exchange: every kind of edge.
  auto mapped = s.map([](std::uint64_t x) { return x * 2654435761ULL ^ (x >> 7); }).filter([](std::uint64_t x) { return (x & 1) == 0; });
  mapped.exchange([](std::uint64_t x) { return x; }, 2).for_each([&](std::uint64_t) {
    sink_count.fetch_add(1, std::memory_order_relaxed);
  });
  mapped.for_each([](std::uint64_t) {});
  auto ex = rt.run(g);
  std::uint64_t allocs_start = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    if (i == n / 2) allocs_start = streamweave::testing::heap_allocations();  // after warm-up: pools are full
    in.send(i);
  }
  const std::uint64_t allocs_end = streamweave::testing::heap_allocations();
  in.close();
  ex.wait();
  const std::uint64_t allocs = allocs_end - allocs_start;
  const double batches = static_cast<double>(n / 2) / 256.0;
  const double per_batch = static_cast<double>(allocs) / batches;
  RecordProperty("allocs_per_batch", std::to_string(per_batch));
  std::printf("allocations in the second half: %llu over %.0f input batches (%.4f per batch)\n",
              static_cast<unsigned long long>(allocs), batches, per_batch);
  EXPECT_LT(per_batch, 0.01);
  std::uint64_t kept = 0;
  for (std::uint64_t i = 0; i < n; ++i) kept += ((i * 2654435761ULL ^ (i >> 7)) & 1) == 0 ? 1 : 0;
  EXPECT_EQ(sink_count.load(), kept) << "every kept record reached the exchanged sink";
}
