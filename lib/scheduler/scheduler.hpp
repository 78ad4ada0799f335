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
///  - `bind_input` once per input, in `execution_state::start`, before any unit runs: it
///    returns the gate the input's calls go through (input/input_gate.hpp);
///  - `launch` once, after the initial units were submitted;
///  - `submit` for every scheduled unit (`unit::schedule`), from any thread;
///  - `take_next_after_idle` from a task's thread when the unit it ran went idle, before the
///    task ends (`unit::run`);
///  - `on_published` after a progress source published updates, on the publishing thread (a
///    hot path: once per activation that changed counts; it must be cheap and never block);
///  - `on_waits_for_outside` from a unit's running thread, when its body asked for a waker for
///    an outside thread (an output handle's reader);
///  - `on_stop` once, when the run stops (completed, failed or cancelled).
#include <streamweave/progress/timestamp.hpp>

#include "input/input_gate.hpp"

#include <cstddef>
#include <functional>
#include <memory>

namespace streamweave::internal {

class execution_state;
class unit;

class scheduler {
 public:
  virtual ~scheduler() = default;

  /// Runs `u.run()` soon, which ends with `execution_state::task_done`. Returns false when
  /// nothing will run it any more (the caller then counts the task done). Never blocks.
  virtual bool submit(unit& u) noexcept = 0;
  /// Called on a task's thread when the unit it ran went idle, before the task counts itself
  /// done (so the execution and this scheduler are alive meanwhile). May wait a while for
  /// another submission; returns a unit that was submitted (and counted as a task) which this
  /// thread runs next in the same task, or null. By default: null at once.
  virtual unit* take_next_after_idle() noexcept { return nullptr; }
  /// Input `input` (its runtime side `binding`) is bound at `time`, already `closed` or not.
  /// Returns the gate its calls go through: by default the direct one.
  virtual std::unique_ptr<input_gate> bind_input(std::size_t /*input*/, input_binding& binding, timestamp /*time*/,
                                                 bool /*closed*/) {
    return make_direct_gate(binding);
  }
  /// Starts running what was submitted.
  virtual void launch() {}
  virtual void on_published() noexcept {}
  virtual void on_waits_for_outside(unit& /*u*/) noexcept {}
  virtual void on_stop() noexcept {}
};

/// Makes the scheduler of one execution (called once its parts are wired).
using scheduler_factory = std::function<std::unique_ptr<scheduler>(execution_state&)>;

}  // namespace streamweave::internal
