#pragma once
// Replaces the global operator new/delete to count heap allocations. Include this header in
// exactly one source file of an executable (the replacements are definitions), then read
// `streamweave::testing::heap_allocations()`.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace streamweave::testing {
inline std::atomic<std::uint64_t> allocation_count{0};
/// Heap allocations (calls of operator new) since the program started.
inline std::uint64_t heap_allocations() noexcept { return allocation_count.load(std::memory_order_relaxed); }
}  // namespace streamweave::testing

void* operator new(std::size_t n) {
  streamweave::testing::allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// operator new above allocates with malloc, so free is the matching release.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
