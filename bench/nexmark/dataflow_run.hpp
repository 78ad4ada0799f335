#pragma once
// Running a NEXMark query (docs/examples/nexmark) on StreamWeave over events held in memory:
// the events go through a partitioned event-time source with a bounded-disorder watermark, the
// query's rows are collected. Used by the nexmark tool, the tests and the benchmarks.
#include "nexmark/event.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace streamweave::nexmark {

struct dataflow_options {
  std::size_t threads = 1;       ///< runtime worker threads
  std::size_t parallelism = 0;   ///< instances of every keyed step; 0: `threads`
  std::size_t partitions = 0;    ///< source instances, each a contiguous slice of the events; 0: `parallelism`
  std::size_t batch_size = 0;    ///< 0: the runtime's default
  bool deterministic = false;    ///< runtime_options::deterministic
};

/// Query `q`'s rows (unsorted) over `events` in their order, where no event is older than the
/// newest earlier one by more than `max_disorder_ms` (a file's `max_delay_ms`). Throws
/// std::invalid_argument naming the event for a negative time, and rethrows a failure of the
/// run (a late event, an exception in the query).
std::vector<std::string> run_dataflow(int q, std::span<const event> events, std::int64_t max_disorder_ms,
                                      const dataflow_options& options);

}  // namespace streamweave::nexmark
