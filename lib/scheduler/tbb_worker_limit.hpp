#pragma once
/// \file
/// `worker_limit_lease`: how runtimes that own their arena get the oneTBB workers they ask for.
///
/// oneTBB caps its worker pool process-wide with `tbb::global_control(max_allowed_parallelism)`
/// and applies the *smallest* value of all live controls. One control per runtime would
/// therefore cap a runtime asking for 8 threads at the 4 that an older runtime asked for. So
/// every runtime takes a lease here instead, and one shared control holds the largest value any
/// live runtime needs (replaced by a larger one when a runtime needs more, dropped with the
/// last lease). The control is only created for a value above oneTBB's default (the
/// process's hardware threads), so it never lowers the limit for the rest of the process. A
/// host's own smaller control still wins; the lease then logs a warning saying how many
/// workers the runtime can really get.
///
/// Thread safety: leases may be taken and dropped from any thread (one process-wide mutex).
#include <cstddef>

namespace streamweave::internal {

class worker_limit_lease {
 public:
  /// Asks that oneTBB allow at least `parallelism` threads (workers plus one) while the lease
  /// lives.
  explicit worker_limit_lease(std::size_t parallelism);
  ~worker_limit_lease();
  worker_limit_lease(const worker_limit_lease&) = delete;
  worker_limit_lease& operator=(const worker_limit_lease&) = delete;

 private:
  std::size_t parallelism_;
};

}  // namespace streamweave::internal
