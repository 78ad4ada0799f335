#include <streamweave/error.hpp>
#include <streamweave/graph/graph.hpp>
#include <streamweave/runtime/runtime.hpp>

#include "runtime/execution_state.hpp"

#include <oneapi/tbb/global_control.h>

#include <optional>
#include <thread>

namespace streamweave {

struct runtime::impl {
  runtime_options options;
  std::optional<tbb::global_control> parallelism;
  std::unique_ptr<tbb::task_arena> own_arena;
  tbb::task_arena* arena = nullptr;
};

runtime::runtime(runtime_options options) : impl_(std::make_shared<impl>()) {
  if (options.deterministic) options.threads = 1;  // runs use their own single thread
  if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());
  impl_->options = options;
  const auto wanted = options.threads + 1;
  if (tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism) < wanted)
    impl_->parallelism.emplace(tbb::global_control::max_allowed_parallelism, wanted);
  // No slot reserved for an outside thread: every slot is a worker running graph tasks.
  impl_->own_arena = std::make_unique<tbb::task_arena>(static_cast<int>(options.threads), 0);
  impl_->arena = impl_->own_arena.get();
}

runtime::runtime(tbb::task_arena& host_arena, runtime_options options) : impl_(std::make_shared<impl>()) {
  options.threads = options.deterministic ? 1 : static_cast<std::size_t>(std::max(1, host_arena.max_concurrency()));
  impl_->options = options;
  impl_->arena = &host_arena;
}

runtime::~runtime() = default;

const runtime_options& runtime::options() const noexcept { return impl_->options; }
std::size_t runtime::threads() const noexcept { return impl_->options.threads; }

execution runtime::run(graph& g) {
  auto state = g.shared_state();
  if (state->started) throw graph_error("graph '" + state->name + "' was already run; build a new graph to run again");
  if (impl_->options.batch_size == 0 || impl_->options.queue_capacity == 0 || impl_->options.activation_budget == 0)
    throw usage_error("runtime_options: batch_size, queue_capacity and activation_budget must be positive");
  state->started = true;
  internal::runtime_config config{impl_->options.batch_size, impl_->options.queue_capacity,
                                  impl_->options.activation_budget, impl_->options.deterministic};
  std::shared_ptr<internal::execution_state> exec;
  try {
    exec = std::make_shared<internal::execution_state>(state, config, *impl_->arena);
  } catch (...) {
    state->started = false;  // an invalid graph may be fixed and run
    throw;
  }
  exec->start();
  return execution(std::move(exec), impl_);
}

// ---------------------------------------------------------------------------------------------

execution::execution(std::shared_ptr<internal::execution_state> state, std::shared_ptr<void> keep_alive)
    : state_(std::move(state)), keep_alive_(std::move(keep_alive)) {}
execution::execution(execution&&) noexcept = default;
execution& execution::operator=(execution&& other) noexcept {
  if (this != &other) {
    if (state_) state_->cancel();
    state_ = std::move(other.state_);
    keep_alive_ = std::move(other.keep_alive_);
  }
  return *this;
}
execution::~execution() {
  // Destroy the state (cancel + wait) before releasing the arena it runs on.
  state_.reset();
  keep_alive_.reset();
}

void execution::wait() {
  state_->wait_until_finished(std::chrono::hours(24 * 365 * 100));
  state_->rethrow_if_failed();
}

bool execution::wait_for(std::chrono::nanoseconds timeout) {
  if (!state_->wait_until_finished(timeout)) return false;
  state_->rethrow_if_failed();
  return true;
}

void execution::cancel() noexcept { state_->cancel(); }

bool execution::done() const { return state_->wait_until_finished(std::chrono::nanoseconds(0)); }

bool execution::completed() const { return done() && state_->completed(); }

std::vector<queue_stats> execution::stats() const { return state_->stats(); }

}  // namespace streamweave
