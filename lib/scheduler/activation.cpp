// The operator-facing side of an activation (streamweave::detail::activation).
#include "runtime/execution_state.hpp"

namespace streamweave::detail {

using internal::instance_runtime;

bool activation::process_inputs(node_body& body) {
  internal::unit& u = *inst_->owner;
  while (!u.budget_spent() && u.may_take()) {
    bool any = false;
    for (std::size_t p = 0; p < inst_->inputs.size(); ++p) {
      internal::edge_queue* q = inst_->inputs[p];
      if (q == nullptr) continue;
      batch_base* b = q->try_pop();
      if (b == nullptr) continue;
      any = true;
      u.take_budget();
      inst_->count_in(*b);
      u.count_consumed(inst_->input_locations[p], b->time);
      struct release_on_exit {
        batch_base* b;
        ~release_on_exit() { release_batch(b); }
      } guard{b};
      body.on_batch(*this, p, *b);
      if (u.budget_spent() || !u.may_take()) break;
    }
    if (!any) break;
  }
  return u.may_take() && has_input();
}

const batch_base* activation::pop(std::size_t port) {
  internal::unit& u = *inst_->owner;
  if (inst_->last_popped != nullptr) release_batch(std::exchange(inst_->last_popped, nullptr));
  if (u.budget_spent() || !u.may_take()) return nullptr;
  internal::edge_queue* q = inst_->inputs.at(port);
  if (q == nullptr) return nullptr;
  batch_base* b = q->try_pop();
  if (b == nullptr) return nullptr;
  u.take_budget();
  inst_->count_in(*b);
  u.count_consumed(inst_->input_locations[port], b->time);
  inst_->last_popped = b;
  return b;
}

bool activation::has_input() const {
  for (auto* q : inst_->inputs)
    if (q != nullptr && q->has_items()) return true;
  return false;
}

timestamp activation::input_frontier(std::size_t port) const { return inst_->frontier_snapshot.at(port); }

void activation::emit(std::size_t port, batch_base* b) {
  internal::unit& u = *inst_->owner;
  if (inst_->count_activity) inst_->counters.count_out(b->size());
  internal::deliver(*inst_->outputs[port], b, inst_->exec->config().batch_size, u.outbox(), &u);
}

batch_pool& activation::pool(std::size_t port) { return inst_->outputs[port]->pool; }

bool activation::blocked() const { return inst_->owner->output_waits(); }

std::size_t activation::batch_size() const noexcept { return inst_->exec->config().batch_size; }

bool activation::take_budget() noexcept { return inst_->owner->take_budget(); }

bool activation::budget_spent() const noexcept { return inst_->owner->budget_spent(); }

bool activation::all_inputs_passed(timestamp t) const noexcept {
  for (timestamp f : inst_->frontier_snapshot)
    if (f <= t) return false;
  return true;
}

progress_buffer& activation::progress() noexcept { return inst_->owner->progress; }

progress::location_id activation::output_location(std::size_t port) const { return inst_->outputs.at(port)->location; }

const std::string& activation::node_name() const noexcept { return inst_->spec->name; }

std::size_t activation::instance_index() const noexcept { return inst_->index; }

std::size_t activation::instance_count() const noexcept { return inst_->count; }

std::function<void()> activation::waker() const {
  inst_->exec->scheduler().on_waits_for_outside(*inst_->owner);
  return inst_->owner->waker();
}

void activation::wake_at(std::chrono::steady_clock::time_point when) { inst_->exec->timers().wake_at(when, inst_->owner); }

}  // namespace streamweave::detail
