#pragma once
/// \file
/// `loop_time`: the timestamps of records inside a loop scope.
///
/// Inside a loop, a record's time is the pair `(epoch, round)`: `epoch` is the time it entered
/// with, `round` counts the laps it made around the loop's feedback edges. The runtime carries
/// the pair packed into one `timestamp`, epoch in the high 44 bits and round in the low 20
/// bits, so everything inside a loop (batches, capabilities, frontiers, notifications, probes)
/// shows the packed value: use `loop_time::unpack(t)` to read it and `loop_time::pack` to build
/// one (for example to ask for a notification at the end of an epoch's last possible round).
///
/// Order: packed values compare lexicographically, `(epoch, round)`. The progress tracker
/// decides completeness in that total order, which extends the product order Timely Dataflow
/// uses for loops: it is exact per epoch (round `r` of epoch `e` completes as soon as no record
/// of epoch `e` at round `<= r` can appear) but it does not let a later epoch's rounds complete
/// while an earlier epoch is still inside the loop (no pipelining of epochs through a loop).
///
/// Limits: epochs entering a loop must be `<= max_epoch` and a record may make at most
/// `max_round` laps; the loop's operators fail the run (with the loop's name) beyond either.
#include <streamweave/progress/timestamp.hpp>

#include <compare>
#include <cstdint>

namespace streamweave {

struct loop_time {
  static constexpr unsigned round_bits = 20;
  static constexpr timestamp max_round = (timestamp{1} << round_bits) - 1;
  /// One below the largest value the epoch bits hold: `end_of_epoch(max_epoch)` must stay below
  /// the frontier sentinel `std::numeric_limits<timestamp>::max()` ("no more input"), which a
  /// notification can never pass.
  static constexpr timestamp max_epoch = ((~timestamp{0}) >> round_bits) - 1;

  timestamp epoch = 0;
  timestamp round = 0;

  /// The packed timestamp of `(epoch, round)`; both must be within the limits above.
  static constexpr timestamp pack(timestamp epoch, timestamp round) noexcept { return (epoch << round_bits) | round; }
  static constexpr timestamp pack(loop_time t) noexcept { return pack(t.epoch, t.round); }
  static constexpr loop_time unpack(timestamp packed) noexcept { return {packed >> round_bits, packed & max_round}; }
  /// The last time of `epoch` inside a loop: a capability or notification here outlasts every
  /// round of the epoch.
  static constexpr timestamp end_of_epoch(timestamp epoch) noexcept { return pack(epoch, max_round); }

  friend constexpr auto operator<=>(const loop_time&, const loop_time&) = default;
};

}  // namespace streamweave
