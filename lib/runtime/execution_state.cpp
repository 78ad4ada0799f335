#include "runtime/execution_state.hpp"

#include "runtime/deterministic_scheduler.hpp"

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

namespace {

constexpr std::size_t no_queue = std::numeric_limits<std::size_t>::max();

/// Releases a batch reference when the scope ends (also on exceptions from user code).
class batch_ref_guard {
 public:
  batch_ref_guard(detail::batch_base* b, detail::batch_pool* owned) noexcept : b_(b), owned_(owned) {}
  ~batch_ref_guard() {
    if (b_ != nullptr) detail::release_batch(b_, owned_);
  }
  batch_ref_guard(const batch_ref_guard&) = delete;
  batch_ref_guard& operator=(const batch_ref_guard&) = delete;

 private:
  detail::batch_base* b_;
  detail::batch_pool* owned_;
};

void push_or_pend(edge_queue* q, std::size_t token, detail::batch_base* b, unit* consumer, delivery_sink& sink) {
  // Keep this source's batches in order: once something waits, everything queues behind it.
  if (sink.pending.empty() && q->try_push(b, token)) {
    if (consumer != nullptr) consumer->schedule();
    return;
  }
  sink.pending.push_back(pending_push{q, token, b, consumer});
}

/// Turns what a user's builder or source factory threw while `runtime::run` built the bodies
/// into an `operator_error` naming the node, with the original nested. Call from a handler.
[[noreturn]] void rethrow_builder_failure(const std::string& node, std::size_t index, std::size_t count) {
  const std::string where = "building instance " + std::to_string(index) + " of " + std::to_string(count) + " threw";
  try {
    throw;
  } catch (const std::exception& e) {
    throw operator_error(node, where + ": " + e.what());  // nests the exception being handled
  } catch (...) {
    throw operator_error(node, where + " an unknown exception");
  }
}

/// Registers `wake` to be resumed when `p`'s queue has room for `p`'s batch.
void wait_for_room(const pending_push& p, producer_waker* wake) {
  p.queue->add_waiter(p.token, wake, p.queue->byte_budget() != 0 ? p.batch->bytes() : 0);
}

}  // namespace

void deliver(output_port_runtime& port, detail::batch_base* b, std::size_t batch_size, delivery_sink sink, unit* via) {
  // Inside a unit's activation the port's pool is the unit's own; input handles (via == null)
  // use the shared recycling path.
  detail::batch_pool* owned = via != nullptr ? &port.pool : nullptr;
  batch_ref_guard original(b, owned);  // every edge takes its own reference
  for (auto& edge : port.edges) {
    detail::batch_base* ref = detail::share_batch(*b);
    switch (edge.k) {
      case output_edge::kind::fused: {
        batch_ref_guard guard(ref, owned);
        instance_runtime* previous = via->current;
        via->current = edge.fused_consumer;
        detail::activation act(*edge.fused_consumer);
        edge.fused_consumer->body->on_batch(act, edge.fused_port, *ref);
        via->current = previous;
        break;
      }
      case output_edge::kind::queue:
        sink.progress.post(edge.target, ref->time, +1);
        push_or_pend(edge.queues[0], edge.tokens[0], ref, edge.consumers[0], sink);
        break;
      case output_edge::kind::routed: {
        {
          batch_ref_guard guard(ref, owned);
          try {
            edge.router->route(*ref, *edge.route_pool, batch_size, edge.scratch);
          } catch (...) {
            for (auto*& s : edge.scratch)
              if (s != nullptr) detail::release_batch(std::exchange(s, nullptr));
            throw;
          }
        }
        for (std::size_t d = 0; d < edge.scratch.size(); ++d) {
          detail::batch_base* part = std::exchange(edge.scratch[d], nullptr);
          if (part == nullptr) continue;
          sink.progress.post(edge.target, part->time, +1);
          push_or_pend(edge.queues[d], edge.tokens[d], part, edge.consumers[d], sink);
        }
        break;
      }
    }
  }
}

bool flush_pending(std::vector<pending_push>& pending, producer_waker* wake) {
  std::size_t done = 0;
  for (; done < pending.size(); ++done) {
    auto& p = pending[done];
    if (!p.queue->try_push(p.batch, p.token)) break;
    if (p.consumer != nullptr) p.consumer->schedule();
  }
  pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(done));
  if (!pending.empty()) wait_for_room(pending.front(), wake);
  return pending.empty();
}

// ---------------------------------------------------------------------------------------------
// unit

void unit::schedule() noexcept {
  // A read-modify-write, not a load: it is ordered with run()'s exchange in the state's
  // modification order. Either run() sees what the caller published before calling schedule()
  // (a pushed batch, a new frontier), or this call sees `running` and asks for another run.
  // Plain release/acquire on both sides would allow both to miss each other (store buffering).
  int s = state_.fetch_or(0, std::memory_order_acq_rel);
  for (;;) {
    if (s == idle) {
      if (state_.compare_exchange_weak(s, scheduled, std::memory_order_acq_rel)) {
        exec->submit(*this);
        return;
      }
    } else if (s == running) {
      if (state_.compare_exchange_weak(s, running_again, std::memory_order_acq_rel)) return;
    } else {
      return;  // already scheduled, or will run again
    }
  }
}

bool unit::activate_once() noexcept {
  bool more = false;
  current = head;
  try {
    for (instance_runtime* m : members)
      for (std::size_t p = 0; p < m->input_locations.size(); ++p)
        m->frontier_snapshot[p] = exec->frontier_of(m->input_locations[p]);
    if (pending.empty() || flush_pending(pending, this) || unthrottled) {
      budget = exec->config().activation_budget;
      detail::activation act(*head);
      more = head->body->activate(act);
    }
    for (instance_runtime* m : members)
      if (m->last_popped != nullptr) detail::release_batch(std::exchange(m->last_popped, nullptr));
    if (!pending.empty()) {
      if (!unthrottled) more = false;
      wait_for_room(pending.front(), this);
    }
    exec->publish(slot, progress);
  } catch (...) {
    for (instance_runtime* m : members)
      if (m->last_popped != nullptr) detail::release_batch(std::exchange(m->last_popped, nullptr));
    exec->fail(current->spec->name, std::current_exception());
    more = false;
  }
  return more;
}

void unit::run() noexcept {
  // A unit that still has work, or was woken while it ran, runs again right here, up to
  // `inline_rounds` activations per task: it stays on this thread (its state stays in this
  // core's cache) and saves a trip through the arena's queue. After that it goes to the back
  // of the queue, so units sharing the threads all make progress.
  constexpr int inline_rounds = 16;
  for (int round = 1;; ++round) {
    [[maybe_unused]] const int was = state_.exchange(running, std::memory_order_acq_rel);  // see schedule()
    // A task runs a scheduled unit; an inline round follows a round that left it running
    // (more work) or running_again (woken meanwhile). Anything else is a unit run twice.
    STREAMWEAVE_ASSERT(round == 1 ? was == scheduled : (was == running || was == running_again),
                       "unit::run: the unit was not scheduled (run twice at once, or after it went idle)");
    waits_for_outside = false;  // read by a deterministic run's scheduler, on this thread
    const bool more = !exec->stopping() && activate_once() && !exec->stopping();
    exec->run_tracker();
    if (!more) {
      int expected = running;
      if (state_.compare_exchange_strong(expected, idle, std::memory_order_acq_rel)) break;
      // schedule() was called while we ran: run again.
    }
    if (round < inline_rounds) continue;
    state_.store(scheduled, std::memory_order_release);
    exec->submit(*this);
    break;
  }
  exec->task_done();
}

// ---------------------------------------------------------------------------------------------
// execution_state: wiring

execution_state::execution_state(std::shared_ptr<detail::graph_state> graph, runtime_config config, tbb::task_arena& arena)
    : graph_(std::move(graph)), config_(config), arena_(arena) {
  try {
    build();
    if (config_.deterministic) deterministic_ = std::make_unique<deterministic_scheduler>(*this);
  } catch (...) {
    // Half built: the bodies made so far hold capabilities that post into their units'
    // buffers, so they go first, as in the destructor.
    release_instances();
    throw;
  }
}

void execution_state::build() {
  auto& nodes = graph_->nodes;
  const std::size_t n_nodes = nodes.size();

  // Consumers of every output port, for validation, fusion and probes.
  std::vector<std::vector<std::vector<const detail::edge_spec*>>> consumers(n_nodes);
  for (std::size_t n = 0; n < n_nodes; ++n) consumers[n].resize(nodes[n].outputs);
  for (const auto& e : graph_->edges) consumers[e.from_node][e.from_port].push_back(&e);
  std::vector<std::vector<bool>> probed(n_nodes);
  for (std::size_t n = 0; n < n_nodes; ++n) probed[n].assign(nodes[n].outputs, false);
  for (const auto& p : graph_->probes) probed[p.node][p.port] = true;
  for (const auto& cell : graph_->chains)
    if (!cell->consumed)
      throw graph_error("graph '" + graph_->name + "': the stream produced by '" + cell->name +
                        "' is never consumed (dangling stream); attach an operator, a sink or a probe");
  for (std::size_t n = 0; n < n_nodes; ++n)
    for (std::size_t o = 0; o < nodes[n].outputs; ++o)
      if (consumers[n][o].empty() && !probed[n][o] && !nodes[n].capability_only_output)
        throw graph_error("graph '" + graph_->name + "': the stream produced by '" + nodes[n].name +
                          "' is never consumed (dangling stream); attach an operator, a sink or a probe");

  validate_loops(*graph_);

  // Progress tracker.
  using tracker_type = progress::tracker<scoped_time>;
  std::vector<progress::node_shape<scoped_time>> shapes;
  shapes.reserve(n_nodes);
  for (const auto& spec : nodes) shapes.push_back({spec.name, spec.inputs, spec.outputs, summaries_of(spec)});
  std::vector<std::pair<tracker_type::port_ref, tracker_type::port_ref>> edges;
  for (const auto& e : graph_->edges) edges.push_back({{e.from_node, e.from_port}, {e.to_node, e.to_port}});
  std::unique_ptr<tracker_type> tracker;
  try {
    tracker = std::make_unique<tracker_type>(std::move(shapes), edges);
  } catch (const std::invalid_argument& e) {
    throw graph_error("graph '" + graph_->name + "': " + e.what());
  }
  progress_listener& listener = *this;  // a private base: converted here, where it is accessible
  progress_ = std::make_unique<progress_hub>(std::move(tracker), listener);
  const auto& layout = progress_->layout();

  // Which edges are fused: a pipeline edge into a stateless single-input operator that is the
  // only consumer of its producer's output, with equal parallelism, from a scheduled producer.
  std::vector<bool> fused_edge(graph_->edges.size(), false);
  for (std::size_t i = 0; i < graph_->edges.size(); ++i) {
    const auto& e = graph_->edges[i];
    const auto& from = nodes[e.from_node];
    const auto& to = nodes[e.to_node];
    fused_edge[i] = to.fusable && to.inputs == 1 && !e.exchange && from.parallelism == to.parallelism &&
                    consumers[e.from_node][e.from_port].size() == 1 && from.kind != detail::node_kind::input;
  }

  // Instances and queues.
  instances_.resize(n_nodes);
  queue_index_.resize(n_nodes);
  for (std::size_t n = 0; n < n_nodes; ++n) {
    const auto& spec = nodes[n];
    if (spec.kind == detail::node_kind::input) continue;
    queue_index_[n].assign(spec.parallelism, std::vector<std::size_t>(spec.inputs, no_queue));
    for (std::size_t i = 0; i < spec.parallelism; ++i) {
      auto inst = std::make_unique<instance_runtime>();
      inst->exec = this;
      inst->node = n;
      inst->index = i;
      inst->count = spec.parallelism;
      inst->spec = &spec;
      inst->inputs.assign(spec.inputs, nullptr);
      for (std::size_t p = 0; p < spec.inputs; ++p) inst->input_locations.push_back(layout.target(n, p));
      inst->frontier_snapshot.assign(spec.inputs, 0);
      for (std::size_t o = 0; o < spec.outputs; ++o) {
        inst->outputs.push_back(std::make_unique<output_port_runtime>());
        inst->outputs.back()->location = layout.source(n, o);
      }
      instances_[n].push_back(std::move(inst));
    }
  }
  for (std::size_t ei = 0; ei < graph_->edges.size(); ++ei) {
    if (fused_edge[ei]) continue;
    const auto& e = graph_->edges[ei];
    const auto& from = nodes[e.from_node];
    const auto& to = nodes[e.to_node];
    // One producer per queue (a pipeline edge, or an input whose senders serialise on its
    // mutex): SPSC. Several producers (exchange, or a merge of unequal parallelism): MPMC.
    const bool single_producer = !e.exchange && from.parallelism == to.parallelism;
    for (std::size_t j = 0; j < to.parallelism; ++j) {
      auto k = single_producer ? edge_queue::kind::spsc : edge_queue::kind::mpmc;
      queue_index_[e.to_node][j][e.to_port] = queues_.size();
      queues_.push_back(std::make_unique<edge_queue>(k, config_.queue_capacity, config_.queue_bytes));
      instances_[e.to_node][j]->inputs[e.to_port] = queues_.back().get();
    }
  }

  // Units: every instance not fused into its producer heads one; fused ones join the
  // producer's unit. Nodes are in topological order (a stream exists before its consumers).
  std::vector<bool> fused_node(n_nodes, false);
  for (std::size_t ei = 0; ei < graph_->edges.size(); ++ei)
    if (fused_edge[ei]) fused_node[graph_->edges[ei].to_node] = true;
  for (std::size_t n = 0; n < n_nodes; ++n) {
    if (nodes[n].kind == detail::node_kind::input || fused_node[n]) continue;
    for (auto& inst : instances_[n]) {
      auto u = std::make_unique<unit>();
      u->exec = this;
      u->head = inst.get();
      u->members.push_back(inst.get());
      u->slot = static_cast<std::uint32_t>(units_.size());
      u->unthrottled = nodes[n].role == detail::loop_role::feedback;
      inst->owner = u.get();
      units_.push_back(std::move(u));
    }
  }
  for (std::size_t ei = 0; ei < graph_->edges.size(); ++ei) {
    if (!fused_edge[ei]) continue;
    const auto& e = graph_->edges[ei];
    for (std::size_t j = 0; j < nodes[e.to_node].parallelism; ++j) {
      unit* u = instances_[e.from_node][j]->owner;
      instances_[e.to_node][j]->owner = u;
      u->members.push_back(instances_[e.to_node][j].get());
    }
  }

  // Inputs.
  for (std::size_t n = 0; n < n_nodes; ++n) {
    if (nodes[n].kind != detail::node_kind::input) continue;
    auto b = std::make_unique<input_binding>();
    b->exec = this;
    b->state = nodes[n].input.get();
    b->output = std::make_unique<output_port_runtime>();
    b->output->location = layout.source(n, 0);
    b->location = b->output->location;
    b->index = inputs_.size();
    inputs_.push_back(std::move(b));
    input_states_.push_back(nodes[n].input);
  }
  progress_->set_slot_count(units_.size() + inputs_.size());
  for (std::size_t i = 0; i < inputs_.size(); ++i) inputs_[i]->slot = static_cast<std::uint32_t>(units_.size() + i);

  // Output edges for every producing instance (and input).
  auto wire = [&](output_port_runtime& port, const detail::edge_spec& e, std::size_t ei, std::size_t producer_index,
                  std::size_t producer_count) {
    const auto& to = nodes[e.to_node];
    output_edge edge;
    edge.target = layout.target(e.to_node, e.to_port);
    if (fused_edge[ei]) {
      edge.k = output_edge::kind::fused;
      edge.fused_consumer = instances_[e.to_node][producer_index].get();
      edge.fused_port = e.to_port;
    } else if (e.exchange) {
      edge.k = output_edge::kind::routed;
      for (std::size_t j = 0; j < to.parallelism; ++j) {
        edge_queue* q = queues_[queue_index_[e.to_node][j][e.to_port]].get();
        edge.queues.push_back(q);
        edge.tokens.push_back(q->add_producer());
        edge.consumers.push_back(instances_[e.to_node][j]->owner);
      }
      edge.router = e.exchange->make_router();
      edge.route_pool = std::make_unique<detail::batch_pool>();
      edge.scratch.assign(to.parallelism, nullptr);
    } else {
      edge.k = output_edge::kind::queue;
      const std::size_t j = producer_count == to.parallelism ? producer_index : producer_index % to.parallelism;
      edge_queue* q = queues_[queue_index_[e.to_node][j][e.to_port]].get();
      edge.queues.push_back(q);
      edge.tokens.push_back(q->add_producer());
      edge.consumers.push_back(instances_[e.to_node][j]->owner);
    }
    port.edges.push_back(std::move(edge));
  };
  std::vector<std::size_t> input_index(n_nodes, 0);
  for (std::size_t n = 0, k = 0; n < n_nodes; ++n)
    if (nodes[n].kind == detail::node_kind::input) input_index[n] = k++;
  for (std::size_t ei = 0; ei < graph_->edges.size(); ++ei) {
    const auto& e = graph_->edges[ei];
    const auto& from = nodes[e.from_node];
    if (from.kind == detail::node_kind::input) {
      wire(*inputs_[input_index[e.from_node]]->output, e, ei, 0, 1);
    } else {
      for (std::size_t i = 0; i < from.parallelism; ++i)
        wire(*instances_[e.from_node][i]->outputs[e.from_port], e, ei, i, from.parallelism);
    }
  }

  // Bodies, with their initial capabilities counted in their unit's buffer.
  for (std::size_t n = 0; n < n_nodes; ++n) {
    const auto& spec = nodes[n];
    for (auto& inst : instances_[n]) {
      detail::instance_info info;
      info.index = inst->index;
      info.count = inst->count;
      info.batch_size = config_.batch_size;
      info.progress = &inst->owner->progress;
      info.name = &spec.name;
      for (auto& out : inst->outputs) info.output_locations.push_back(out->location);
      std::vector<capability> initial;
      if (spec.initial_capability)
        for (auto loc : info.output_locations) initial.push_back(capability::mint(info.progress, loc, 0));
      try {
        inst->body = spec.make_body(info, std::move(initial));
      } catch (...) {
        rethrow_builder_failure(spec.name, inst->index, inst->count);
      }
    }
  }

  // Probes watch the targets that consume their stream (so "complete" includes processing by
  // the consumers), or the stream's own source when nothing consumes it.
  for (const auto& p : graph_->probes) {
    std::vector<progress::location_id> watch;
    for (const auto* e : consumers[p.node][p.port]) watch.push_back(layout.target(e->to_node, e->to_port));
    if (watch.empty()) watch.push_back(layout.source(p.node, p.port));
    std::sort(watch.begin(), watch.end());
    watch.erase(std::unique(watch.begin(), watch.end()), watch.end());
    progress_->add_probe(p.state, std::move(watch));
  }
}

void execution_state::start() {
  // Initial capabilities of operators and inputs, applied before anything runs. Once an input
  // is bound, its sender may publish and request tracker runs, which combine into later rounds.
  const bool nothing_to_do = progress_->start([&](auto&& add) {
    for (auto& u : units_) {
      for (const auto& up : u->progress.updates()) add(up.location, up.time, up.delta);
      u->progress.updates().clear();
    }
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
      auto& state = *input_states_[i];
      std::lock_guard lock(state.mutex);  // time and closed are read and the binding set atomically
      if (!state.closed()) add(inputs_[i]->location, state.time(), +1);
      if (deterministic_) deterministic_->bind_input(i, state.time(), state.closed());
      state.binding = inputs_[i].get();
    }
  });
  log::debug("graph '{}' started: {} units, {} queues, {} inputs", graph_->name, units_.size(), queues_.size(),
             inputs_.size());
  if (nothing_to_do) complete();
  for (auto& u : units_) u->schedule();
  progress_->run_tracker();
  if (deterministic_) deterministic_->launch();
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
  release_instances();
}

void execution_state::release_instances() noexcept {
  // Order matters: bodies may hold capabilities (posting into unit buffers) and batches return
  // to pools owned by instances and inputs, so queues and pending pushes go first, then the
  // bodies, while the units and the instances' pools still exist.
  for (auto& u : units_) {
    for (auto& p : u->pending) detail::release_batch(p.batch);
    u->pending.clear();
  }
  for (auto& b : inputs_) {
    for (auto& p : b->pending) detail::release_batch(p.batch);
    b->pending.clear();
  }
  queues_.clear();
  for (auto& per_node : instances_)
    for (auto& inst : per_node) inst->body.reset();
  instances_.clear();
}

void execution_state::detach_handles() noexcept {
  for (auto& state : input_states_) {
    std::lock_guard lock(state->mutex);
    state->binding = nullptr;
    state->run_over = true;
  }
}

std::vector<queue_stats> execution_state::stats() const {
  std::vector<queue_stats> out;
  for (std::size_t n = 0; n < queue_index_.size(); ++n)
    for (std::size_t i = 0; i < queue_index_[n].size(); ++i)
      for (std::size_t p = 0; p < queue_index_[n][i].size(); ++p) {
        const std::size_t qi = queue_index_[n][i][p];
        if (qi == no_queue) continue;
        const auto& q = *queues_[qi];
        out.push_back({graph_->nodes[n].name, i, p, q.depth(), q.max_depth(), q.capacity(), q.bytes(), q.max_bytes(),
                       q.byte_budget()});
      }
  return out;
}

// ---------------------------------------------------------------------------------------------
// progress

void execution_state::publish(std::uint32_t slot, detail::progress_buffer& buffer) {
  if (buffer.empty()) return;
  if (deterministic_) deterministic_->note_progress();  // only its thread publishes then
  progress_->publish(slot, buffer);
}

void execution_state::on_input_frontier_moved(std::size_t node) noexcept {
  if (graph_->nodes[node].interest == detail::frontier_interest::always)
    for (auto& inst : instances_[node]) inst->owner->schedule();
}

void execution_state::on_drained() noexcept { complete(); }

// ---------------------------------------------------------------------------------------------
// lifecycle

void execution_state::submit(unit& u) noexcept {
  tasks_.fetch_add(1, std::memory_order_seq_cst);
  if (shut_down_.load(std::memory_order_seq_cst)) {
    task_done();
    return;
  }
  if (deterministic_) {
    if (!deterministic_->enqueue(u)) task_done();  // its thread has exited: nothing runs any more
    return;
  }
  unit* target = &u;
  arena_.enqueue([target] { target->run(); });
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
    completed_.store(true, std::memory_order_release);
    finished_cv_.notify_all();
  }
  log::debug("graph '{}' completed", graph_->name);
}

void execution_state::stop_everything() noexcept {
  // Once only: node_body::on_run_stopped is called once per body, however many fail.
  if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  for (auto& state : input_states_) {
    state->cancelled.store(true, std::memory_order_seq_cst);
    state->wake_senders();
  }
  progress_->abort_probes();
  if (deterministic_) deterministic_->notify();
  for (auto& per_node : instances_)
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
    finished_cv_.notify_all();
  }
  log::debug("graph '{}' cancelled", graph_->name);
  stop_everything();
}

bool execution_state::wait_until_finished(std::chrono::nanoseconds timeout) const {
  const auto deadline = detail::deadline_after(timeout);
  std::unique_lock lock(mutex_);
  return detail::wait_until(finished_cv_, lock, deadline,
                            [&] { return finished_ && tasks_.load(std::memory_order_acquire) == 0; });
}

void execution_state::wait_until_finished() const { wait_until_finished(std::chrono::nanoseconds::max()); }

void execution_state::rethrow_if_failed() const {
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
  if (cancelled_by_user_) throw cancelled_error("graph '" + graph_->name + "': the run was cancelled");
}

}  // namespace streamweave::internal
