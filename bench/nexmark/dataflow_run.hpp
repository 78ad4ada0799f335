#pragma once
// Running a NEXMark query (docs/examples/nexmark) on StreamWeave and collecting its rows, with
// the events coming from one of three inputs:
//  - events held in memory, through a partitioned event-time source (each partition a
//    contiguous slice, watermark = newest event time - max_disorder_ms, moved per batch);
//  - the generator, through a partitioned source in which every partition generates its own
//    slice of event numbers (in event-time order, so the watermark is the newest time);
//  - a `nexmark-csv v1` stream read line by line on the calling thread and sent through an
//    event-time input (watermark: newest time - the header's max_delay_ms, raised by `W` lines).
// Used by the nexmark tool, the tests and the benchmarks.
#include "nexmark/event.hpp"
#include "nexmark/generator.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <span>
#include <string>
#include <vector>

namespace streamweave::nexmark {

struct dataflow_options {
  std::size_t threads = 1;       ///< runtime worker threads
  std::size_t parallelism = 0;   ///< instances of every keyed step; 0: `threads`
  std::size_t partitions = 0;    ///< source instances; 0: `parallelism`
  std::size_t batch_size = 0;    ///< 0: the runtime's default
  bool deterministic = false;    ///< runtime_options::deterministic
  /// When set, the input adds the events it has passed on, in steps of `progress_step` per
  /// partition (relaxed: for a progress display, read from any thread).
  std::atomic<std::uint64_t>* progress = nullptr;
  static constexpr std::uint64_t progress_step = 4096;
};

/// Query `q`'s rows (unsorted) over `events` in their order, where no event is older than the
/// newest earlier one by more than `max_disorder_ms` (a file's `max_delay_ms`). The graph moves
/// the events out of `events` (each source partition moves its slice's events into its batches,
/// as a source that parsed them would), so they are left moved-from; the caller frees the
/// buffer. Throws std::invalid_argument naming the event for a negative time, and rethrows a
/// failure of the run (a late event, an exception in the query).
std::vector<std::string> run_dataflow(int q, std::span<event> events, std::int64_t max_disorder_ms,
                                      const dataflow_options& options);

/// Query `q`'s rows over events [0, count) of `gen`, generated inside the graph.
std::vector<std::string> run_generated(int q, const generator& gen, std::uint64_t count, const dataflow_options& options);

/// What reading a csv input fed into the graph.
struct csv_feed_stats {
  std::uint64_t events = 0;
  std::uint64_t watermarks = 0;
};

/// Query `q`'s rows over the `nexmark-csv v1` text `in`, read and checked line by line on this
/// thread and sent through an event-time input. Throws parse_error for a malformed line and
/// std::invalid_argument for a negative time (both naming the line); `stats` (optional)
/// receives what was fed.
std::vector<std::string> run_from_csv(int q, std::istream& in, const std::string& source_name, const dataflow_options& options,
                                      csv_feed_stats* stats = nullptr);

}  // namespace streamweave::nexmark
