#include "scheduler/tbb_worker_limit.hpp"

#include "logging/log.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#include <memory>
#include <mutex>
#include <set>

namespace streamweave::internal {

namespace {

using control = tbb::global_control;

struct shared_limit {
  std::mutex mutex;
  std::multiset<std::size_t> requests;  // one per live lease
  std::unique_ptr<control> raised;      // ours, at `raised_to`; null when oneTBB allows enough anyway
  std::size_t raised_to = 0;
};

shared_limit& limit() {
  static shared_limit* l = new shared_limit();  // never destroyed: leases may outlive statics
  return *l;
}

std::size_t allowed() { return control::active_value(control::max_allowed_parallelism); }

}  // namespace

worker_limit_lease::worker_limit_lease(std::size_t parallelism) : parallelism_(parallelism) {
  auto& l = limit();
  std::lock_guard lock(l.mutex);
  const auto it = l.requests.insert(parallelism);
  // oneTBB's own default (the process's hardware threads) needs no control; above it, ours
  // holds the largest request. Never below the default, so that ours never lowers the limit
  // for the rest of the process, even after a host's smaller control is gone.
  const std::size_t target = *l.requests.rbegin();
  if (target > static_cast<std::size_t>(tbb::info::default_concurrency()) && l.raised_to < target) {
    try {
      // Create the new control before dropping the old, so the limit never falls in between.
      auto next = std::make_unique<control>(control::max_allowed_parallelism, target);
      l.raised = std::move(next);
      l.raised_to = target;
    } catch (...) {
      l.requests.erase(it);
      throw;
    }
  }
  const std::size_t now = allowed();
  if (now < parallelism)
    log::warn(
        "runtime: oneTBB allows at most {} threads in this process (a smaller tbb::global_control "
        "max_allowed_parallelism is alive, perhaps the host's), so this runtime's {} worker threads get at most {} "
        "of them",
        now, parallelism - 1, now > 1 ? now - 1 : 1);
}

worker_limit_lease::~worker_limit_lease() {
  auto& l = limit();
  std::lock_guard lock(l.mutex);
  l.requests.erase(l.requests.find(parallelism_));
  if (l.requests.empty()) {
    l.raised.reset();
    l.raised_to = 0;
  }
}

}  // namespace streamweave::internal
