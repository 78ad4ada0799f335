#pragma once
/// \file
/// Timeouts that saturate instead of overflowing. Every waiting call of the API takes a
/// `std::chrono::nanoseconds` timeout: `nanoseconds::max()` (or anything beyond the clock's
/// range) means "wait forever", zero or a negative value means "do not wait". Computing
/// `now() + timeout` directly would overflow (undefined behaviour) and return at once.
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace streamweave::detail {

using steady_time = std::chrono::steady_clock::time_point;

/// `now + timeout`, saturated: `steady_time::max()` stands for "never".
inline steady_time deadline_after(std::chrono::nanoseconds timeout) noexcept {
  const steady_time now = std::chrono::steady_clock::now();
  if (timeout <= std::chrono::nanoseconds::zero()) return now;
  const auto room = steady_time::max() - now;
  if (timeout >= std::chrono::duration_cast<std::chrono::nanoseconds>(room)) return steady_time::max();
  return now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
}

/// `cv.wait_until(lock, deadline, pred)`, where `steady_time::max()` waits without a deadline
/// (so no standard library converts it into an overflowing absolute time).
template <class Pred>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, steady_time deadline, Pred pred) {
  if (deadline == steady_time::max()) {
    cv.wait(lock, pred);
    return true;
  }
  return cv.wait_until(lock, deadline, pred);
}

}  // namespace streamweave::detail
