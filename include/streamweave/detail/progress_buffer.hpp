#pragma once
/// \file
/// The pointstamp deltas one progress source (an operator instance chain or an input handle)
/// accumulates during an activation, published to the tracker as one atomic batch.
/// Thread safety: owned by one activation at a time (or guarded by the input handle's mutex).
#include <streamweave/progress/timestamp.hpp>
#include <streamweave/progress/location.hpp>

#include <cstdint>
#include <vector>

namespace streamweave::detail {

struct progress_update {
  progress::location_id location;
  streamweave::timestamp time;
  std::int64_t delta;
};

class progress_buffer {
 public:
  void post(progress::location_id loc, streamweave::timestamp t, std::int64_t delta) {
    // Coalesce with the previous entry: the common case is many batches at one (target, time).
    if (!updates_.empty() && updates_.back().location == loc && updates_.back().time == t) {
      updates_.back().delta += delta;
      return;
    }
    updates_.push_back({loc, t, delta});
  }
  bool empty() const noexcept { return updates_.empty(); }
  std::vector<progress_update>& updates() noexcept { return updates_; }

 private:
  std::vector<progress_update> updates_;
};

/// Capability ownership, checked out of line (lib/scheduler/unit.cpp) so that inline
/// capability code is the same whether or not the library checks assertions: in a library
/// built with `STREAMWEAVE_ASSERTIONS`, aborts when `owner` (the buffer a capability counts in)
/// is null, or when this thread runs the activation of a scheduling unit whose progress buffer
/// is not `owner`. Operators fused into one unit share its buffer and are not told apart;
/// use outside any activation is not checked. Without assertions it does nothing.
void check_capability_owner(const progress_buffer* owner) noexcept;

}  // namespace streamweave::detail
