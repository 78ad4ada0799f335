#pragma once
/// \file
/// `progress_hub`: where pointstamp changes meet the tracker, and frontiers leave it.
///
/// Progress sources (units and input handles) each own a *slot*. A source publishes the
/// updates of one activation (or one input call) into its slot as one batch and marks the slot
/// dirty in an inbox. Whoever publishes then tries to become the tracker's owner for a round
/// (`run_tracker`, a combining lock: no thread waits for it, except `start`). The owner drains
/// the dirty slots, applies their updates, propagates, stores each moved frontier in a per-
/// location atomic (read by `frontier_of` from any thread), tells the listener which operator
/// inputs moved, fans the change out to the probes watching that location, and reports a fully
/// drained dataflow.
///
/// Safety (docs/architecture.md, "Progress"): a slot keeps its source's batches in order, and a
/// source's updates of one activation (its `+1`s for batches sent and its `-1`s for
/// capabilities dropped) are applied together, so no frontier passes a time that a published
/// batch still carries.
///
/// With capability tracking on (`track_capabilities`), `publish` also keeps, per unit slot, the
/// capabilities that unit holds (lib/progress/capability_ledger.hpp), which `read_held` reads.
///
/// Thread safety: `publish`, `run_tracker`, `frontier_of`, `note_capabilities` (for one slot
/// by its one publisher) and `read_held` from any thread. `add_probe`, `set_slot_count` and
/// `track_capabilities` while the graph is wired, before `start`. `start` once, before any unit
/// runs. The listener is called by the current tracker owner only, one call at a time.
#include <streamweave/detail/node.hpp>  // detail::empty_frontier
#include <streamweave/detail/progress_buffer.hpp>
#include <streamweave/progress/probe.hpp>
#include <streamweave/progress/tracker.hpp>

#include "progress/capability_ledger.hpp"
#include "progress/scoped_time.hpp"
#include "queue/index_inbox.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace streamweave::internal {

/// What the hub tells the runtime. Called on the tracker owner's thread; must not block.
class progress_listener {
 public:
  /// The implication frontier of an input port of node `node` moved.
  virtual void on_input_frontier_moved(std::size_t node) noexcept = 0;
  /// No pointstamp is left anywhere: the dataflow is complete.
  virtual void on_drained() noexcept = 0;
  /// Probe `probe` (its index in the order of `add_probe`) is about to publish frontier `f`.
  virtual void on_probe_frontier(std::size_t probe, timestamp f) noexcept = 0;

 protected:
  ~progress_listener() = default;
};

class progress_hub {
 public:
  using tracker_type = progress::tracker<scoped_time>;

  progress_hub(std::unique_ptr<tracker_type> tracker, progress_listener& listener);
  progress_hub(const progress_hub&) = delete;
  progress_hub& operator=(const progress_hub&) = delete;

  /// The tracker's locations, for wiring (`target`, `source`, `location_count`).
  const tracker_type& layout() const noexcept { return *tracker_; }

  /// Wiring: `n` progress sources, numbered 0..n-1.
  void set_slot_count(std::size_t n);
  /// Wiring: slots 0..unit_slots-1 (the units) keep a capability ledger. Call after
  /// `set_slot_count`.
  void track_capabilities(std::size_t unit_slots);
  /// Wiring: `probe` reports the minimum of the frontiers at `watch` (sorted, unique).
  void add_probe(std::shared_ptr<detail::probe_state> probe, std::vector<progress::location_id> watch);

  /// Owns the tracker while `seed(add)` records the initial pointstamps through
  /// `add(location, time, delta)`, propagates, and publishes every location's frontier
  /// (locations that never get a pointstamp are complete from the start). Input senders that
  /// publish meanwhile combine into a later round. Returns true when nothing is left to do
  /// (the listener is not told: the caller completes the run itself).
  template <class Seed>
  bool start(Seed&& seed) {
    while (busy_.exchange(true, std::memory_order_acq_rel)) std::this_thread::yield();
    seed([this](progress::location_id loc, timestamp t, std::int64_t delta) {
      tracker_->update(loc, scoped_time{t}, delta);
    });
    tracker_->propagate([this](progress::location_id loc) { on_location_changed(loc); });
    for (progress::location_id loc = 0; loc < tracker_->location_count(); ++loc)
      if (tracker_->frontier(loc).empty()) on_location_changed(loc);
    const bool drained = !tracker_->has_pointstamps();
    busy_.store(false, std::memory_order_seq_cst);
    return drained;
  }

  /// Counts the capabilities among `updates` in `slot`'s ledger (nothing for a slot without
  /// one). `publish` calls it; `start`'s seeding calls it for updates it adds directly.
  void note_capabilities(std::uint32_t slot, const std::vector<detail::progress_update>& updates) {
    if (slot < ledger_count_) ledgers_[slot].apply(updates, is_output_);
  }
  /// Fills `port` with the capabilities unit slot `slot` holds at output `location`, as of its
  /// last published updates (capability_ledger::read). Leaves it as it is for a slot without a
  /// ledger.
  void read_held(std::uint32_t slot, progress::location_id location, output_port_metrics& port) const {
    if (slot < ledger_count_) ledgers_[slot].read(location, port);
  }

  /// Moves `buffer`'s updates into `slot` (one batch, in order) and clears `buffer`. Does not
  /// run the tracker: call `run_tracker` after.
  void publish(std::uint32_t slot, detail::progress_buffer& buffer);
  /// Runs tracker rounds until no request is left, unless another thread owns the tracker (it
  /// will then see this request). Never blocks.
  void run_tracker() noexcept;

  /// The earliest time that may still reach `location` (`detail::empty_frontier` when none).
  timestamp frontier_of(progress::location_id location) const noexcept {
    return frontiers_[location].load(std::memory_order_acquire);
  }

  /// Every probe stops waiting (the run stopped without completing).
  void abort_probes() noexcept;

 private:
  /// A progress source's published batches, waiting for the tracker.
  struct slot {
    std::atomic_flag lock = ATOMIC_FLAG_INIT;  // held only while appending or taking
    std::vector<detail::progress_update> updates;
    std::atomic<bool> dirty{false};
  };
  struct probe_entry {
    std::shared_ptr<detail::probe_state> state;
    std::vector<progress::location_id> watch;
  };

  void on_location_changed(progress::location_id loc) noexcept;

  std::unique_ptr<tracker_type> tracker_;  // only the tracker owner (who set busy_)
  progress_listener& listener_;
  std::vector<std::atomic<timestamp>> frontiers_;  // per location: min of implication frontier
  std::vector<probe_entry> probes_;
  std::vector<std::vector<std::size_t>> probes_by_location_;  // indices into probes_
  std::unique_ptr<slot[]> slots_;
  std::size_t slot_count_ = 0;
  index_inbox dirty_slots_;
  std::unique_ptr<capability_ledger[]> ledgers_;  // per unit slot, when tracking
  std::size_t ledger_count_ = 0;
  std::vector<std::uint8_t> is_output_;  // per location: 1 for an operator output
  std::atomic<bool> busy_{false};
  std::atomic<bool> requested_{false};
  std::vector<detail::progress_update> drained_;  // only the tracker owner
};

}  // namespace streamweave::internal
