// The process-wide memory barrier (input/process_barrier.hpp).
#include "input/process_barrier.hpp"

#include <atomic>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace streamweave::internal {

#if defined(__linux__) && defined(__NR_membarrier)
namespace {
long membarrier(int cmd) noexcept { return syscall(__NR_membarrier, cmd, 0, 0); }

bool register_once() noexcept {
  const long supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}
}  // namespace

bool process_barrier_available() noexcept {
  static const bool available = register_once();  // thread-safe static initialisation
  return available;
}

void process_barrier() noexcept {
  // Cannot fail once registered (EINVAL/EPERM only for unregistered or unsupported commands);
  // a full fence on this CPU in any case.
  (void)membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
#else
bool process_barrier_available() noexcept { return false; }
void process_barrier() noexcept { std::atomic_thread_fence(std::memory_order_seq_cst); }
#endif

}  // namespace streamweave::internal
