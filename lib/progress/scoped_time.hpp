#pragma once
// `scoped_time`: the time type the runtime's progress tracker counts in. Its value is a
// `timestamp` (outside loops an epoch, inside a loop a packed `loop_time`), and its path
// summaries can cross a loop boundary, which an addend cannot express:
//   enter    e       -> (e, 0)   = e << round_bits
//   leave    (e, r)  -> e        = t >> round_bits
//   feedback (e, r)  -> (e, r+k) = t + k
// A summary is `t -> ((t >> shift_right) << shift_left) + add`. Every such map is monotone,
// which is all the tracker's propagation needs. `leave` maps a time to a smaller value; the
// law of progress/timestamp.hpp asks `results_in(s, t) >= t` only of summaries that can lie
// on a cycle, and cycles through enter or leave are rejected before the tracker is built
// (loop_validation.cpp), so every cycle the tracker meets has only ordinary and feedback
// summaries, which keep it. The tracker never composes summaries, so there is no `followed_by`.
#include <streamweave/progress/timestamp.hpp>

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>

namespace streamweave::internal {

struct scoped_time {
  timestamp value = 0;
  friend constexpr auto operator<=>(const scoped_time&, const scoped_time&) = default;
};

struct scoped_summary {
  std::uint8_t shift_right = 0;
  std::uint8_t shift_left = 0;
  timestamp add = 0;
  friend constexpr bool operator==(const scoped_summary&, const scoped_summary&) = default;
};

}  // namespace streamweave::internal

namespace streamweave {

template <>
struct timestamp_traits<internal::scoped_time> {
  using time = internal::scoped_time;
  using summary = internal::scoped_summary;
  /// Times compare by value, so the tracker keeps ordered counts per location.
  static constexpr bool totally_ordered = true;
  static constexpr time minimum() noexcept { return {0}; }
  static constexpr bool less_equal(time a, time b) noexcept { return a.value <= b.value; }
  static constexpr summary identity() noexcept { return {}; }
  /// Nullopt when the result does not fit a timestamp (no time survives).
  static constexpr std::optional<time> results_in(const summary& s, time t) noexcept {
    constexpr timestamp max = std::numeric_limits<timestamp>::max();
    timestamp v = t.value >> s.shift_right;
    if (s.shift_left != 0) {
      if (v > (max >> s.shift_left)) return std::nullopt;
      v <<= s.shift_left;
    }
    if (v > max - s.add) return std::nullopt;
    return time{v + s.add};
  }
  /// `a(t) <= b(t)` for every `t`: decided exactly for summaries of the same shape; summaries
  /// of different shapes are reported incomparable (keeping both is always sound).
  static constexpr bool summary_less_equal(const summary& a, const summary& b) noexcept {
    return a.shift_right == b.shift_right && a.shift_left == b.shift_left && a.add <= b.add;
  }
};

}  // namespace streamweave
