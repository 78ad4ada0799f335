#pragma once
/// \file
/// `capability_ledger`: the capabilities one progress source (a scheduling unit) holds, per
/// output location and time, as of its last published batch of updates. `execution::metrics()`
/// reports them per operator instance (observe/metrics.hpp, `output_port_metrics`).
///
/// Locations are per node, and a unit holds at most one instance of each node, so within one
/// unit's ledger an output location names one operator instance's output port.
///
/// The ledger is kept beside the tracker, not read from it: the tracker counts every instance
/// of a node at one location, and it is owned by whichever thread runs a tracker round.
///
/// Thread safety: `apply` by the source's publisher (one at a time: the thread that ends the
/// unit's activation), `read` from any thread; both take the ledger's mutex, which `apply`
/// takes only for a batch that changes some capability. The mutex orders them; nothing else
/// reads the counts.
#include <streamweave/detail/ordered_counts.hpp>
#include <streamweave/detail/progress_buffer.hpp>
#include <streamweave/observe/metrics.hpp>
#include <streamweave/progress/location.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace streamweave::internal {

class capability_ledger {
 public:
  /// Applies the updates at locations `is_output[location]` marks (operator outputs, where
  /// pointstamps are capabilities; the others count batches in flight and are skipped).
  void apply(const std::vector<detail::progress_update>& updates, const std::vector<std::uint8_t>& is_output);
  /// Fills `port`'s `capabilities`, `times`, `earliest` and `held` (at most
  /// `output_port_metrics::held_limit` times) with what is held at `location`; leaves them as
  /// they are (none held) when nothing ever was.
  void read(progress::location_id location, output_port_metrics& port) const;

 private:
  struct location_counts {
    progress::location_id location = 0;
    std::int64_t total = 0;
    detail::ordered_counts<timestamp> by_time;  // no zero entries; nodes reused
  };

  mutable std::mutex mutex_;
  std::vector<location_counts> locations_;  // few per unit: searched linearly
};

}  // namespace streamweave::internal
