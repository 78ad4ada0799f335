// Batch memory is recycled: steady-state flow allocates (almost) nothing per batch.
// This executable replaces the global operator new to count allocations.
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::uint64_t> allocations{0};
}

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// operator new above allocates with malloc, so free is the matching release.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

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
  std::atomic<std::uint64_t> allocs_at_half{0};
  auto [in, s] = g.input<std::uint64_t>("in");
  // A queue between the input and the map, a fan-out, and an exchange: every kind of edge.
  auto mapped = s.map([](std::uint64_t x) { return x * 2654435761ULL ^ (x >> 7); }).filter([](std::uint64_t x) { return (x & 1) == 0; });
  mapped.exchange([](std::uint64_t x) { return x; }, 2).for_each([&](std::uint64_t) {
    if (sink_count.fetch_add(1, std::memory_order_relaxed) == 0) {
    }
  });
  mapped.for_each([](std::uint64_t) {});
  auto ex = rt.run(g);
  std::uint64_t allocs_start = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    if (i == n / 2) allocs_start = allocations.load();  // after warm-up: pools are full
    in.send(i);
  }
  const std::uint64_t allocs_end = allocations.load();
  in.close();
  ex.wait();
  allocs_at_half = allocs_end - allocs_start;
  const double batches = static_cast<double>(n / 2) / 256.0;
  const double per_batch = static_cast<double>(allocs_at_half.load()) / batches;
  RecordProperty("allocs_per_batch", std::to_string(per_batch));
  std::printf("allocations in the second half: %llu over %.0f input batches (%.4f per batch)\n",
              static_cast<unsigned long long>(allocs_at_half.load()), batches, per_batch);
  EXPECT_LT(per_batch, 0.01);
}
