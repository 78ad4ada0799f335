#pragma once
/// \file
/// Which scheduler a runtime's runs get, and how many threads that means: the one place
/// outside the schedulers that knows the policies (`runtime_options::deterministic`).
#include <streamweave/runtime/runtime_options.hpp>

#include "scheduler/scheduler.hpp"

#include "scheduler/tbb_scheduler.hpp"  // tbb::task_arena

#include <cstddef>

namespace streamweave::internal {

/// The worker threads `options` ask for, given `available` (the request, or the host arena's
/// concurrency): 1 for deterministic runs, which use a thread of their own; else `available`.
std::size_t scheduler_threads(const runtime_options& options, std::size_t available) noexcept;

/// The scheduler factory for runs with `options` on `arena` (which outlives them).
scheduler_factory choose_scheduler(const runtime_options& options, tbb::task_arena& arena);

}  // namespace streamweave::internal
