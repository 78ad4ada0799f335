#include <streamweave/error.hpp>
#include <streamweave/graph/graph.hpp>
#include <streamweave/runtime/runtime.hpp>

#include "observe/activity_clock.hpp"
#include "runtime/execution_state.hpp"
#include "scheduler/scheduler_choice.hpp"
#include "scheduler/tbb_worker_limit.hpp"

#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace streamweave {

struct runtime::impl {
  runtime_options options;
  std::optional<internal::worker_limit_lease> parallelism;
  std::unique_ptr<tbb::task_arena> own_arena;
  tbb::task_arena* arena = nullptr;
};

namespace {

void check_at_most(std::size_t value, std::size_t limit, const char* option) {
  if (value > limit)
    throw usage_error(std::string("runtime_options: ") + option + " = " + std::to_string(value) + " is too large (at most " +
                      std::to_string(limit) + ")");
}

/// Rejects options a run cannot work with, naming the option and its limit.
void validate_run_options(const runtime_options& o) {
  for (auto [value, option] : {std::pair{o.batch_size, "batch_size"}, std::pair{o.queue_capacity, "queue_capacity"},
                                std::pair{o.activation_budget, "activation_budget"}})
    if (value == 0) throw usage_error(std::string("runtime_options: ") + option + " = 0 cannot work (at least 1)");
  check_at_most(o.batch_size, runtime_options::max_batch_size, "batch_size");
  check_at_most(o.queue_capacity, runtime_options::max_queue_capacity, "queue_capacity");
  if (o.idle_spin.count() < 0 || o.idle_spin > runtime_options::max_idle_spin)
    throw usage_error("runtime_options: idle_spin = " + std::to_string(o.idle_spin.count()) +
                      " us cannot work (0 to " + std::to_string(runtime_options::max_idle_spin.count()) + " us)");
  check_at_most(o.trace_capacity, runtime_options::max_trace_capacity, "trace_capacity");
}

}  // namespace

runtime::runtime(runtime_options options) : impl_(std::make_shared<impl>()) {
  if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());
  options.threads = internal::scheduler_threads(options, options.threads);
  check_at_most(options.threads, runtime_options::max_threads, "threads");
  impl_->options = options;
  impl_->parallelism.emplace(options.threads + 1);  // workers plus one, as oneTBB counts
  // No slot reserved for an outside thread: every slot is a worker running graph tasks.
  impl_->own_arena = std::make_unique<tbb::task_arena>(static_cast<int>(options.threads), 0);
  impl_->arena = impl_->own_arena.get();
  internal::activity_clock::warm_up();  // the 2 ms calibration, here rather than in a run
}

runtime::runtime(tbb::task_arena& host_arena, runtime_options options) : impl_(std::make_shared<impl>()) {
  options.threads = internal::scheduler_threads(options, static_cast<std::size_t>(std::max(1, host_arena.max_concurrency())));
  impl_->options = options;
  impl_->arena = &host_arena;
  internal::activity_clock::warm_up();
}

runtime::~runtime() = default;

const runtime_options& runtime::options() const noexcept { return impl_->options; }
std::size_t runtime::threads() const noexcept { return impl_->options.threads; }

execution runtime::run(graph& g) {
  auto state = detail::graph_access::state_of(g);
  validate_run_options(impl_->options);
  if (state->started.exchange(true))  // one winner, also among threads racing to run one graph
    throw graph_error("graph '" + state->name + "' was already run; build a new graph to run again");
  internal::runtime_config config{impl_->options.batch_size, impl_->options.queue_capacity,
                                  impl_->options.activation_budget, impl_->options.queue_bytes,
                                  impl_->options.idle_spin,
                                  impl_->options.metrics || impl_->options.trace_capacity != 0,
                                  impl_->options.trace_capacity};
  const internal::scheduler_factory make_scheduler = internal::choose_scheduler(impl_->options, *impl_->arena);
  std::shared_ptr<internal::execution_state> exec;
  try {
    exec = std::make_shared<internal::execution_state>(state, config, make_scheduler);
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
  state_->wait_until_finished();
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

metrics_snapshot execution::metrics() const { return state_->metrics(); }

void execution::write_trace(const std::string& path) const { state_->write_trace(path); }

}  // namespace streamweave
