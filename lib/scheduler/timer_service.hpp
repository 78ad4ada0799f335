#pragma once
// Wall-clock wake-ups for operator instances (`activation::wake_at`): one thread per execution,
// started lazily by the first request, that schedules each requested unit once its deadline has
// passed. Used by processing-time windows, which must fire even when no input arrives.
//
// Thread safety: `wake_at` may be called from any thread. `stop` joins the thread; after it
// returns no unit is scheduled any more and later requests are ignored. The execution calls
// `stop` first thing in its destructor, before any unit is destroyed.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace streamweave::internal {

class unit;

class timer_service {
 public:
  using clock = std::chrono::steady_clock;
  timer_service() = default;
  timer_service(const timer_service&) = delete;
  timer_service& operator=(const timer_service&) = delete;
  ~timer_service() { stop(); }

  /// Schedules `u` at or soon after `when`.
  void wake_at(clock::time_point when, unit* u);
  /// Drops pending wake-ups and joins the thread. Idempotent; never throws.
  void stop() noexcept;
  /// Wake-ups requested and not fired yet (for tests and statistics).
  std::size_t pending() const;

 private:
  struct entry {
    clock::time_point when;
    unit* target;
    bool operator>(const entry& o) const noexcept { return when > o.when; }
  };
  void loop();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::priority_queue<entry, std::vector<entry>, std::greater<entry>> due_;  // guarded by mutex_
  std::thread thread_;                                                       // guarded by mutex_
  bool stopped_ = false;                                                     // guarded by mutex_
};

}  // namespace streamweave::internal
