#pragma once
// A scheduler for white-box tests of the unit state machine: submitted units wait in a FIFO
// until the test runs them, one at a time, on the thread it chooses.
#include "runtime/execution_state.hpp"
#include "scheduler/scheduler.hpp"
#include "scheduler/unit.hpp"

#include <streamweave/streamweave.hpp>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace streamweave::testing {

class manual_scheduler final : public internal::scheduler {
 public:
  /// Queues `u`. A unit is never queued twice at once: that would break the state machine's
  /// promise (one submission per idle -> scheduled transition), so it aborts the test.
  bool submit(internal::unit& u) noexcept override {
    std::lock_guard lock(mutex_);
    for (internal::unit* queued : queue_)
      if (queued == &u) {
        std::fprintf(stderr, "manual_scheduler: unit '%s' submitted while already queued\n", name_of(u).c_str());
        std::abort();
      }
    queue_.push_back(&u);
    ++submissions_;
    return true;
  }

  /// Runs the oldest queued unit on this thread; false when none is queued.
  bool run_one() {
    internal::unit* u = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) return false;
      u = queue_.front();
      queue_.pop_front();
    }
    running_ = u;
    u->run();
    running_ = nullptr;
    return true;
  }
  /// Runs queued units until none is left.
  void drain() {
    while (run_one()) {
    }
  }

  std::size_t queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }
  std::size_t queued(const std::string& node) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (internal::unit* u : queue_) n += name_of(*u) == node ? 1 : 0;
    return n;
  }
  /// The first queued unit whose head operator is `node`, or nullptr.
  internal::unit* find(const std::string& node) const {
    std::lock_guard lock(mutex_);
    for (internal::unit* u : queue_)
      if (name_of(*u) == node) return u;
    return nullptr;
  }
  std::size_t submissions() const {
    std::lock_guard lock(mutex_);
    return submissions_;
  }
  /// The unit `run_one` is running now (for bodies that reschedule themselves).
  internal::unit* running() const noexcept { return running_; }

  static std::string name_of(const internal::unit& u) { return u.head->spec->name; }

 private:
  mutable std::mutex mutex_;
  std::deque<internal::unit*> queue_;
  std::size_t submissions_ = 0;
  internal::unit* running_ = nullptr;  // only the thread calling run_one
};

/// An execution of `g` whose units run only when the test says so.
struct manual_execution {
  explicit manual_execution(graph& g, internal::runtime_config config = {})
      : exec(std::make_shared<internal::execution_state>(detail::graph_access::state_of(g), config,
                                                          [this](internal::execution_state&) {
                                                            auto s = std::make_unique<manual_scheduler>();
                                                            sched = s.get();
                                                            return std::unique_ptr<internal::scheduler>(std::move(s));
                                                          })) {}
  /// Stops the run and runs what is queued (each run ends its task), so that the execution can
  /// be destroyed.
  ~manual_execution() {
    exec->cancel();
    sched->drain();
  }
  manual_execution(const manual_execution&) = delete;
  manual_execution& operator=(const manual_execution&) = delete;

  manual_scheduler* sched = nullptr;  // owned by exec
  std::shared_ptr<internal::execution_state> exec;
};

}  // namespace streamweave::testing
