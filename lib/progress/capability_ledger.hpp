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
#include <streamweave/detail/progress_buffer.hpp>
#include <streamweave/progress/location.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace streamweave::internal {

/// The capabilities held at one output location.
struct held_capabilities {
  std::int64_t count = 0;                                       // over every time
  std::size_t times = 0;                                        // distinct times with a count
  std::vector<std::pair<timestamp, std::int64_t>> earliest;     // the first `limit`, in time order
};

class capability_ledger {
 public:
  /// Applies the updates at locations `is_output[location]` marks (operator outputs, where
  /// pointstamps are capabilities; the others count batches in flight and are skipped).
  void apply(const std::vector<detail::progress_update>& updates, const std::vector<std::uint8_t>& is_output);
  /// What is held at `location`, listing at most `limit` times.
  held_capabilities read(progress::location_id location, std::size_t limit) const;

 private:
  struct location_counts {
    progress::location_id location = 0;
    std::int64_t total = 0;
    std::map<timestamp, std::int64_t> by_time;  // no zero entries
  };

  mutable std::mutex mutex_;
  std::vector<location_counts> locations_;  // few per unit: searched linearly
};

}  // namespace streamweave::internal
