#include "scheduler/tbb_scheduler.hpp"

#include "runtime/execution_state.hpp"
#include "scheduler/unit.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace streamweave::internal {

namespace {

inline void spin_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Without idle spinning: one arena task per submission. With it (`runtime_config::idle_spin`
/// > 0): a worker whose unit went idle waits in a hand-off slot, and the next submission goes
/// straight to it instead of the arena.
///
/// The hand-off slot (`handoff_`) is `empty`, `waiting` (one worker polls it) or a unit.
///  - A waiter claims it with CAS empty -> waiting; only one thread waits at a time.
///  - `submit` tries CAS waiting -> unit (acq_rel: the waiter's acquire load sees what the
///    submitter wrote before); it fails when nobody waits, and then enqueues an arena task.
///  - The waiter, seeing a unit, stores `empty` and runs it. Giving up (time out, run stopped or
///    completed, arena work queued), it CASes waiting -> empty; if that fails a unit arrived, and it runs it.
/// Only the waiter moves the slot out of `waiting`-or-unit, and only a submitter into a unit, so
/// a unit handed over is taken exactly once.
///
/// A waiter must not hold its core while arena tasks wait: `queued_` counts tasks enqueued and
/// not yet started, and a waiter gives up as soon as it is nonzero (checked after claiming the
/// slot and on every poll; all seq_cst, so a submitter that missed the slot and enqueued is
/// seen by the next poll). Kept only when idle spinning is on, so the default path has no
/// shared counter.
class tbb_scheduler final : public scheduler {
 public:
  tbb_scheduler(tbb::task_arena& arena, execution_state& exec)
      : arena_(arena), exec_(exec), idle_spin_(exec.config().idle_spin) {}

  bool submit(unit& u) noexcept override {
    unit* target = &u;
    if (idle_spin_.count() > 0) {
      std::uintptr_t expected = waiting;
      if (handoff_.compare_exchange_strong(expected, reinterpret_cast<std::uintptr_t>(target), std::memory_order_acq_rel))
        return true;
      queued_.fetch_add(1, std::memory_order_seq_cst);
      arena_.enqueue([this, target] {
        queued_.fetch_sub(1, std::memory_order_seq_cst);  // the task counts in the execution: *this lives
        target->run();
      });
      return true;
    }
    arena_.enqueue([target] { target->run(); });
    return true;
  }

  unit* take_next_after_idle() noexcept override {
    if (idle_spin_.count() == 0) return nullptr;
    std::uintptr_t expected = empty;
    if (!handoff_.compare_exchange_strong(expected, waiting, std::memory_order_seq_cst)) return nullptr;  // another waits
    const auto deadline = std::chrono::steady_clock::now() + idle_spin_;
    for (unsigned polls = 0;; ++polls) {
      const std::uintptr_t slot = handoff_.load(std::memory_order_acquire);
      if (slot != waiting) return take(slot);
      const bool give_up = queued_.load(std::memory_order_seq_cst) != 0 || exec_.stopping() || exec_.completed() ||
                           ((polls & 63) == 63 && std::chrono::steady_clock::now() >= deadline);
      if (give_up) {
        std::uintptr_t still = waiting;
        if (handoff_.compare_exchange_strong(still, empty, std::memory_order_acq_rel)) return nullptr;
        return take(still);  // a unit arrived meanwhile
      }
      if ((polls & 1023) == 1023) std::this_thread::yield();  // let a preempted submitter in
      spin_pause();
    }
  }

 private:
  static constexpr std::uintptr_t empty = 0;
  static constexpr std::uintptr_t waiting = 1;

  unit* take(std::uintptr_t slot) noexcept {
    handoff_.store(empty, std::memory_order_release);  // nobody else writes a unit-holding slot
    return reinterpret_cast<unit*>(slot);
  }

  tbb::task_arena& arena_;
  execution_state& exec_;
  const std::chrono::microseconds idle_spin_;
  alignas(64) std::atomic<std::uintptr_t> handoff_{empty};
  alignas(64) std::atomic<std::size_t> queued_{0};
};

}  // namespace

scheduler_factory tbb_scheduler_factory(tbb::task_arena& arena) {
  return [&arena](execution_state& exec) -> std::unique_ptr<scheduler> { return std::make_unique<tbb_scheduler>(arena, exec); };
}

}  // namespace streamweave::internal
