#pragma once
/// \file
/// `tbb_scheduler`: runs units as oneTBB tasks in a task arena (the runtime's own, or a host's
/// arena). Each submission is one task; a unit runs on one worker at a time (the unit's state
/// machine guarantees it), and several units run at once. The only scheduler that includes
/// oneTBB's task headers. With `runtime_options::idle_spin`, a worker whose unit went idle
/// waits up to that long for the next submission and runs it itself (tbb_scheduler.cpp).
/// Thread safety: `submit` from any thread (oneTBB's `task_arena::enqueue`, or the hand-off
/// slot); `take_next_after_idle` from a task's thread.
#include "scheduler/scheduler.hpp"

#include <oneapi/tbb/task_arena.h>

namespace streamweave::internal {

/// A factory for schedulers that run on `arena`, which must outlive every execution they run.
scheduler_factory tbb_scheduler_factory(tbb::task_arena& arena);

}  // namespace streamweave::internal
