#include "scheduler/scheduler_choice.hpp"

#include "scheduler/deterministic_scheduler.hpp"
#include "scheduler/tbb_scheduler.hpp"

namespace streamweave::internal {

std::size_t scheduler_threads(const runtime_options& options, std::size_t available) noexcept {
  return options.deterministic ? 1 : available;
}

scheduler_factory choose_scheduler(const runtime_options& options, tbb::task_arena& arena) {
  return options.deterministic ? deterministic_scheduler_factory() : tbb_scheduler_factory(arena);
}

}  // namespace streamweave::internal
