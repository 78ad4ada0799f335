#pragma once
/// \file
/// `tbb_scheduler`: runs units as oneTBB tasks in a task arena (the runtime's own, or a host's
/// arena). Each submission is one task; a unit runs on one worker at a time (the unit's state
/// machine guarantees it), and several units run at once. The only scheduler that includes
/// oneTBB's task headers.
/// Thread safety: `submit` from any thread (oneTBB's `task_arena::enqueue`).
#include "scheduler/scheduler.hpp"

#include <oneapi/tbb/task_arena.h>

namespace streamweave::internal {

/// A factory for schedulers that run on `arena`, which must outlive every execution they run.
scheduler_factory tbb_scheduler_factory(tbb::task_arena& arena);

}  // namespace streamweave::internal
