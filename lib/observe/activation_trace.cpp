#include "observe/activation_trace.hpp"

#include <atomic>

namespace streamweave::internal {

std::uint32_t trace_thread_index() noexcept {
  static std::atomic<std::uint32_t> next{1};
  thread_local const std::uint32_t index = next.fetch_add(1, std::memory_order_relaxed);
  return index;
}

}  // namespace streamweave::internal
