#include "runtime/execution_state.hpp"

#include "logging/log.hpp"
#include "progress/loop_summaries.hpp"
#include "runtime/loop_validation.hpp"

#include <streamweave/detail/assert.hpp>
#include <streamweave/error.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <thread>

namespace streamweave::internal {

execution_state::execution_state(std::shared_ptr<detail::graph_state> graph, runtime_config config,
                                 const scheduler_factory& make_scheduler)
    : graph_(std::move(graph)), config_(config) {
  try {
    progress_listener& listener = *this;  // a private base: converted here, where it is accessible
    if (config_.trace_capacity != 0) probe_trace_ = std::make_unique<trace_ring<frontier_event>>(config_.trace_capacity);
    wire(wired_, *graph_, config_, *this, listener);
    scheduler_ = make_scheduler(*this);
  } catch (...) {
    // Half built: the bodies made so far hold capabilities that post into their units'
    // buffers, so they go first, as in the destructor.
    wired_.release();
    throw;
  }
}

void execution_state::start() {
  started_ns_ = unit_counters::now_ns();
  // Initial capabilities of operators and inputs, applied before anything runs. Once an input
  // is bound, its sender may publish and request tracker runs, which combine into later rounds.
  epoch_latency_.start(wired_.inputs.size(), graph_->probes.size());
  const bool nothing_to_do = wired_.progress->start([&](auto&& add) {
    for (auto& u : wired_.units) {
      wired_.progress->note_capabilities(u->slot, u->progress.updates());  // the initial capabilities
      for (const auto& up : u->progress.updates()) add(up.location, up.time, up.delta);
      u->progress.updates().clear();
    }
    for (std::size_t i = 0; i < wired_.inputs.size(); ++i) {
      auto& state = *wired_.input_states[i];
      const auto lock = state.lock();  // time and closed are read and the binding set atomically
      if (!state.closed()) add(wired_.inputs[i]->location, state.time(), +1);
      epoch_latency_.set_initial_time(i, state.closed() ? detail::empty_frontier : state.time());
      wired_.inputs[i]->gate = scheduler_->bind_input(i, *wired_.inputs[i], state.time(), state.closed());
      state.bind(lock, *wired_.inputs[i]);
    }
  });
  log::debug("graph '{}' started: {} units, {} queues, {} inputs", graph_->name, wired_.units.size(), wired_.queues.size(),
             wired_.inputs.size());
  if (nothing_to_do) complete();
  for (auto& u : wired_.units) u->schedule();
  wired_.progress->run_tracker();
  scheduler_->launch();
}

execution_state::~execution_state() {
  timers_.stop();
  cancel();
  wait_until_finished();
  shut_down_.store(true, std::memory_order_seq_cst);
  // Wait for tasks submitted meanwhile (they see shut_down_ and return) and for every
  // task_done() to have left *this.
  while (tasks_.load(std::memory_order_seq_cst) != 0 || finishing_tasks_.load(std::memory_order_acquire) != 0)
    std::this_thread::yield();
  detach_handles();
  wired_.release();
}

void execution_state::detach_handles() noexcept {
  for (auto& state : wired_.input_states) {
    state->unbind(state->lock());
  }
}

std::vector<queue_stats> execution_state::stats() const {
  std::vector<queue_stats> out;
  for (std::size_t n = 0; n < wired_.queue_index.size(); ++n)
    for (std::size_t i = 0; i < wired_.queue_index[n].size(); ++i)
      for (std::size_t p = 0; p < wired_.queue_index[n][i].size(); ++p) {
        const std::size_t qi = wired_.queue_index[n][i][p];
        if (qi == wired_graph::no_queue) continue;
        const auto& q = *wired_.queues[qi];
        out.push_back({graph_->nodes[n].name, i, p, q.depth(), q.max_depth(), q.capacity(), q.bytes(), q.max_bytes(),
                       q.byte_budget()});
      }
  return out;
}

// ---------------------------------------------------------------------------------------------
// progress

void execution_state::publish(std::uint32_t slot, detail::progress_buffer& buffer) {
  if (buffer.empty()) return;
  scheduler_->on_published();
  wired_.progress->publish(slot, buffer);
}

void execution_state::on_input_frontier_moved(std::size_t node) noexcept {
  if (graph_->nodes[node].interest == detail::frontier_interest::always)
    for (auto& inst : wired_.instances[node]) inst->owner->schedule();
}

void execution_state::on_drained() noexcept { complete(); }

void execution_state::on_probe_frontier(std::size_t probe, timestamp f) noexcept {
  if (!config_.metrics) return;
  const std::int64_t now = unit_counters::now_ns();
  try {
    if (epoch_latency_.on_probe_frontier(probe, f, now) && probe_trace_) probe_trace_->push(frontier_event{now, probe, f});
  } catch (...) {
    // std::mutex::lock failing (system error): this sample and event are lost, nothing else.
  }
}

// ---------------------------------------------------------------------------------------------
// lifecycle

void execution_state::mark_ended() noexcept {
  if (ended_ns_.load(std::memory_order_relaxed) == 0) ended_ns_.store(unit_counters::now_ns(), std::memory_order_relaxed);
}

void execution_state::submit(unit& u) noexcept {
  task_started();
  if (shut_down_.load(std::memory_order_seq_cst)) {
    task_done();
    return;
  }
  if (!scheduler_->submit(u)) task_done();  // nothing will run it any more
}

void execution_state::task_done() noexcept {
  // `finishing_tasks_` brackets every access to *this after the task count drops, so the
  // destructor can wait for the last one to be done with the mutex and condition variable.
  finishing_tasks_.fetch_add(1, std::memory_order_acq_rel);
  if (tasks_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard lock(mutex_);
    finished_cv_.notify_all();
  }
  finishing_tasks_.fetch_sub(1, std::memory_order_release);  // last access to *this
}

void execution_state::complete() noexcept {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;  // cancelled or failed first
    finished_ = true;
    mark_ended();
    completed_.store(true, std::memory_order_release);
    finished_cv_.notify_all();
  }
  log::debug("graph '{}' completed", graph_->name);
}

void execution_state::stop_everything() noexcept {
  // Once only: node_body::on_run_stopped is called once per body, however many fail.
  if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  for (auto& state : wired_.input_states) {
    state->cancelled.store(true, std::memory_order_seq_cst);
    state->wake_senders();
  }
  wired_.progress->abort_probes();
  scheduler_->on_stop();
  for (auto& per_node : wired_.instances)
    for (auto& inst : per_node)
      if (inst->body) inst->body->on_run_stopped();
}

void execution_state::fail(const std::string& node_name, std::exception_ptr error) noexcept {
  // A fused stage reports which operator threw: name it, and wrap the user's own exception.
  std::string node = node_name;
  try {
    std::rethrow_exception(error);
  } catch (const detail::stage_failure& stage) {
    node = stage.stage;
    if (const auto* nested = dynamic_cast<const std::nested_exception*>(&stage); nested && nested->nested_ptr())
      error = nested->nested_ptr();
  } catch (...) {
  }
  std::exception_ptr wrapped;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    try {
      throw operator_error(node, e.what());
    } catch (...) {
      wrapped = std::current_exception();
    }
  } catch (...) {
    try {
      throw operator_error(node, "unknown exception");
    } catch (...) {
      wrapped = std::current_exception();
    }
  }
  {
    // One critical section: the error, "not completed" and "finished" are seen together. A
    // failure racing with completion (an operator woken by the last frontier change) is still
    // reported; the first failure wins. After a cancel, what user code throws is a
    // consequence of the cancel (a send released with cancelled_error, say): the run stays
    // cancelled and wait() throws cancelled_error.
    std::lock_guard lock(mutex_);
    if (cancelled_by_user_) return;
    if (!error_) error_ = wrapped;
    completed_.store(false, std::memory_order_release);
    finished_ = true;
    mark_ended();
    finished_cv_.notify_all();
  }
  log::error("graph '{}': operator '{}' failed; stopping the run", graph_->name, node);
  stop_everything();
}

void execution_state::cancel() noexcept {
  {
    // One critical section with "finished": a completion racing this cancel either came
    // first (the cancel does nothing, and wait() returns normally) or finds the run finished
    // as cancelled (completed() stays false). Never both.
    std::lock_guard lock(mutex_);
    if (finished_) return;
    cancelled_by_user_ = true;
    finished_ = true;
    mark_ended();
    finished_cv_.notify_all();
  }
  log::debug("graph '{}' cancelled", graph_->name);
  stop_everything();
}

bool execution_state::wait_until_finished(std::chrono::nanoseconds timeout) const {
  const auto deadline = detail::deadline_after(timeout);
  std::unique_lock lock(mutex_);
  return detail::wait_until(finished_cv_, lock, deadline, [&] {
    // Latched: a wake-up that reaches the ended run later (an output handle freeing room, a
    // timer) may submit a task after this; done() and wait() stay true meanwhile (the
    // destructor waits for every task).
    if (finished_ && (settled_ || tasks_.load(std::memory_order_acquire) == 0)) settled_ = true;
    return settled_;
  });
}

void execution_state::wait_until_finished() const { wait_until_finished(std::chrono::nanoseconds::max()); }

void execution_state::rethrow_if_failed() const {
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
  if (cancelled_by_user_) throw cancelled_error("graph '" + graph_->name + "': the run was cancelled");
}

}  // namespace streamweave::internal
