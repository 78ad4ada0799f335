#include <streamweave/progress/probe.hpp>

#include <thread>

namespace streamweave {

namespace detail {

void probe_state::publish(timestamp f) {
  frontier.store(f, std::memory_order_seq_cst);
  // Dekker with wait_until_complete: the waiter increments `waiters` then reads `frontier`;
  // we write `frontier` then read `waiters`. One of us sees the other.
  if (waiters.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard lock(mutex);
    changed.notify_all();
  }
}

void probe_state::abort() {
  aborted.store(true, std::memory_order_seq_cst);
  std::lock_guard lock(mutex);
  changed.notify_all();
}

}  // namespace detail

bool probe::wait_until_complete(timestamp t, std::chrono::nanoseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Spin (then yield) for up to ~50 µs: epoch completions usually take a few microseconds and a
  // futex sleep/wake costs 15-20 µs on a small VM.
  const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
  for (unsigned i = 0;; ++i) {
    if (is_complete(t)) return true;
    if (state_->aborted.load(std::memory_order_acquire)) return false;
    if ((i & 63) == 63) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= spin_until || now >= deadline) break;
      std::this_thread::yield();
    }
  }
  std::unique_lock lock(state_->mutex);
  state_->waiters.fetch_add(1, std::memory_order_seq_cst);
  const bool ok = state_->changed.wait_until(lock, deadline, [&] {
    return is_complete(t) || state_->aborted.load(std::memory_order_seq_cst);
  });
  state_->waiters.fetch_sub(1, std::memory_order_seq_cst);
  return ok && is_complete(t);
}

}  // namespace streamweave
