#pragma once
/// \file
/// `scheduler`: how an execution's units get run. Two policies implement it:
///  - `tbb_scheduler` (scheduler/tbb_scheduler.hpp): oneTBB workers in a task arena, any number
///    of units at once (the default);
///  - `deterministic_scheduler` (scheduler/deterministic_scheduler.hpp): one thread of its own,
///    a fixed order (`runtime_options::deterministic`).
/// The execution owns its scheduler and destroys it first, so a scheduler's thread never
/// outlives what it runs.
///
/// What the execution calls, and from where:
///  - `on_input_bound` once per input, in `execution_state::start`, before any unit runs;
///  - `launch` once, after the initial units were submitted;
///  - `submit` for every scheduled unit (`unit::schedule`), from any thread;
///  - `on_published` after a progress source published updates, on the publishing thread;
///  - `on_waits_for_outside` from a unit's running thread, when its body asked for a waker for
///    an outside thread (an output handle's reader);
///  - `on_stop` once, when the run stops (completed, failed or cancelled).
#include <streamweave/progress/timestamp.hpp>

#include <cstddef>
#include <functional>
#include <memory>

namespace streamweave::internal {

class deterministic_scheduler;
class execution_state;
class unit;

class scheduler {
 public:
  virtual ~scheduler() = default;

  /// Runs `u.run()` soon, which ends with `execution_state::task_done`. Returns false when
  /// nothing will run it any more (the caller then counts the task done). Never blocks.
  virtual bool submit(unit& u) noexcept = 0;
  /// Input `input` was bound at `time` (already `closed` or not).
  virtual void on_input_bound(std::size_t /*input*/, timestamp /*time*/, bool /*closed*/) {}
  /// Starts running what was submitted.
  virtual void launch() {}
  virtual void on_published() noexcept {}
  virtual void on_waits_for_outside(unit& /*u*/) noexcept {}
  virtual void on_stop() noexcept {}
  /// The fixed-order scheduler, whose event logs replace the inputs' direct delivery; nullptr
  /// for a scheduler without one.
  virtual deterministic_scheduler* fixed_order() noexcept { return nullptr; }
};

/// Makes the scheduler of one execution (called once its parts are wired).
using scheduler_factory = std::function<std::unique_ptr<scheduler>(execution_state&)>;

}  // namespace streamweave::internal
