#include <streamweave/progress/probe.hpp>

#include <streamweave/detail/deadline.hpp>

#include <thread>

namespace streamweave {

namespace detail {

void probe_state::publish(timestamp f) {
  frontier.store(f, std::memory_order_seq_cst);
  // Store-buffering handshake with wait_until_complete: the waiter increments `waiters` then
  // reads `frontier`; we write `frontier` then read `waiters`. All four are seq_cst, so they
  // are in one total order and at least one side sees the other's write.
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
  const auto deadline = detail::deadline_after(timeout);
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
  // Store-buffering handshake with probe_state::publish: increment, then read the frontier,
  // both seq_cst (see the header).
  state_->waiters.fetch_add(1, std::memory_order_seq_cst);
  const bool ok = detail::wait_until(state_->changed, lock, deadline, [&] {
    return complete(state_->frontier.load(std::memory_order_seq_cst), t) || state_->aborted.load(std::memory_order_seq_cst);
  });
  state_->waiters.fetch_sub(1, std::memory_order_seq_cst);
  return ok && is_complete(t);
}

}  // namespace streamweave
