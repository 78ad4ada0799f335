#include "progress/progress_hub.hpp"

#include <streamweave/detail/assert.hpp>

#include <algorithm>

namespace streamweave::internal {

namespace {

timestamp frontier_min(const std::vector<scoped_time>& f) noexcept {
  return f.empty() ? detail::empty_frontier : std::min_element(f.begin(), f.end())->value;
}

}  // namespace

progress_hub::progress_hub(std::unique_ptr<tracker_type> tracker, progress_listener& listener)
    : tracker_(std::move(tracker)),
      listener_(listener),
      frontiers_(tracker_->location_count()),
      probes_by_location_(tracker_->location_count()) {
  for (auto& f : frontiers_) f.store(0, std::memory_order_relaxed);
}

void progress_hub::set_slot_count(std::size_t n) {
  slots_ = std::make_unique<slot[]>(n);
  slot_count_ = n;
}

void progress_hub::track_capabilities(std::size_t unit_slots) {
  STREAMWEAVE_ASSERT(unit_slots <= slot_count_, "progress_hub: more ledgers than slots");
  ledgers_ = std::make_unique<capability_ledger[]>(unit_slots);
  ledger_count_ = unit_slots;
  is_output_.assign(tracker_->location_count(), 0);
  for (progress::location_id loc = 0; loc < tracker_->location_count(); ++loc) is_output_[loc] = tracker_->is_target(loc) ? 0 : 1;
}

void progress_hub::add_probe(std::shared_ptr<detail::probe_state> probe, std::vector<progress::location_id> watch) {
  const std::size_t index = probes_.size();
  for (auto loc : watch) probes_by_location_[loc].push_back(index);
  probes_.push_back({std::move(probe), std::move(watch)});
}

void progress_hub::publish(std::uint32_t slot_index, detail::progress_buffer& buffer) {
  auto& updates = buffer.updates();
  if (updates.empty()) return;
  STREAMWEAVE_ASSERT(slot_index < slot_count_, "progress_hub: publish to a slot that was never wired");
  note_capabilities(slot_index, updates);
  slot& s = slots_[slot_index];
  while (s.lock.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
  s.updates.insert(s.updates.end(), updates.begin(), updates.end());
  s.lock.clear(std::memory_order_release);
  updates.clear();
  if (!s.dirty.exchange(true, std::memory_order_acq_rel)) dirty_slots_.push(slot_index);
}

void progress_hub::run_tracker() noexcept {
  // A store-buffering handshake: a requester writes `requested`, then reads `busy` (its
  // exchange); the owner writes `busy = false`, then reads `requested`. Every one of these is
  // seq_cst, so they lie in one total order and either the requester takes `busy` itself or
  // the owner sees the request and loops; with acquire/release both could miss each other and
  // the request would be lost (the C++ model allows it, and POWER does it). The owner's
  // exchange(false) on `requested` also synchronises with every request before it, so it sees
  // the slots those requesters published.
  requested_.exchange(true, std::memory_order_seq_cst);
  for (;;) {
    if (busy_.exchange(true, std::memory_order_seq_cst)) return;  // the owner will see our request
    requested_.exchange(false, std::memory_order_seq_cst);
    bool applied = false;
    std::uint32_t id = 0;
    while (dirty_slots_.try_pop(id)) {
      slot& s = slots_[id];
      s.dirty.store(false, std::memory_order_seq_cst);
      while (s.lock.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
      drained_.swap(s.updates);
      s.lock.clear(std::memory_order_release);
      for (const auto& up : drained_) tracker_->update(up.location, scoped_time{up.time}, up.delta);
      applied = applied || !drained_.empty();
      drained_.clear();
    }
    if (applied) {
      tracker_->propagate([this](progress::location_id loc) { on_location_changed(loc); });
      if (!tracker_->has_pointstamps()) {
        STREAMWEAVE_ASSERT(!tracker_->has_negative_counts(),
                           "progress: the dataflow drained with a negative pointstamp count (a lost +1)");
        listener_.on_drained();
      }
    }
    busy_.store(false, std::memory_order_seq_cst);
    if (!requested_.load(std::memory_order_seq_cst)) return;
  }
}

void progress_hub::on_location_changed(progress::location_id loc) noexcept {
  frontiers_[loc].store(frontier_min(tracker_->frontier(loc)), std::memory_order_release);
  if (tracker_->is_target(loc)) listener_.on_input_frontier_moved(tracker_->node_of(loc));
  for (std::size_t index : probes_by_location_[loc]) {
    timestamp value = detail::empty_frontier;
    for (auto w : probes_[index].watch) value = std::min(value, frontiers_[w].load(std::memory_order_relaxed));
    listener_.on_probe_frontier(index, value);  // first: a waiter that sees `value` sees its effects
    probes_[index].state->publish(value);
  }
}

void progress_hub::abort_probes() noexcept {
  for (auto& p : probes_) p.state->abort();
}

}  // namespace streamweave::internal
