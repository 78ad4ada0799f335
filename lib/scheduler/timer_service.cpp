// The per-execution timer thread behind `activation::wake_at`.
#include "scheduler/timer_service.hpp"

#include "runtime/execution_state.hpp"

namespace streamweave::internal {

void timer_service::wake_at(clock::time_point when, unit* u) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  due_.push({when, u});
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  changed_.notify_one();
}

void timer_service::stop() noexcept {
  std::thread t;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    due_ = {};
    t = std::move(thread_);
  }
  changed_.notify_one();
  if (t.joinable()) t.join();
}

std::size_t timer_service::pending() const {
  std::lock_guard lock(mutex_);
  return due_.size();
}

void timer_service::loop() {
  std::unique_lock lock(mutex_);
  while (!stopped_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    const clock::time_point next = due_.top().when;
    if (clock::now() < next) {
      changed_.wait_until(lock, next);
      continue;
    }
    // Scheduling under the mutex: `stop` cannot return while a unit is being scheduled.
    const entry e = due_.top();
    due_.pop();
    e.target->schedule();
  }
}

}  // namespace streamweave::internal
