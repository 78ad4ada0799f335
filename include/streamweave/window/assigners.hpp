#pragma once
/// \file
/// Window assigners: which event-time windows a record belongs to.
///
/// Semantics shared by every windowed operator:
///  - A window is half-open, `[start, end)`, in the units of the record's event time (the
///    value the user's extractor returns, a `timestamp`).
///  - Time-based windows are aligned to 0 (`start % slide == offset`) unless an offset is
///    given.
///  - A window fires once the operator's input frontier passes `end - 1 + allowed_lateness`:
///    no record with a batch time at or before it can arrive any more.
///  - Lateness is decided by the batch time `b` a record arrives with, never by scheduling:
///    the record's assignment to window `w` is *late* when `b >= w.end + allowed_lateness`
///    (the window may already have fired). A record whose every window is late goes to the
///    late-data stream; one with at least one on-time window is counted in those.
///  - Window ends saturate at the largest timestamp `2^64 - 1`, which therefore lies in no
///    window: a record with that event time is counted in the windows ending there (a session:
///    the empty `[2^64 - 1, 2^64 - 1)`).
///
/// An assigner is a small copyable value with
///   `void assign(timestamp event_time, std::vector<window>& out) const`
/// (appends the windows that contain `event_time`, in increasing `start`), and
/// `static constexpr bool merging` (true for session windows, whose windows grow and merge as
/// records arrive).
///
/// Two assigners are not event-time based (see docs/time-and-windows.md): `count_windows`
/// (`count_based`: every N records of a key) and `processing_time_windows`
/// (`processing_time`: tumbling windows of the wall clock at the record's arrival). Neither has
/// late records.
#include <streamweave/error.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <chrono>
#include <compare>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace streamweave {

/// A half-open event-time window `[start, end)`.
struct window {
  timestamp start = 0;
  timestamp end = 0;
  bool contains(timestamp t) const noexcept { return start <= t && t < end; }
  friend constexpr auto operator<=>(const window&, const window&) = default;
};

namespace detail {
__extension__ typedef __int128 wide_time;  // window arithmetic that may go below 0
/// The largest `start <= t` with `start ≡ offset (mod slide)`; may be negative.
constexpr wide_time aligned_start(timestamp t, timestamp slide, timestamp offset) noexcept {
  const wide_time o = static_cast<wide_time>(offset % slide);
  const wide_time x = static_cast<wide_time>(t) - o;
  wide_time q = x / static_cast<wide_time>(slide);
  if (x < 0 && x % static_cast<wide_time>(slide) != 0) --q;
  return q * static_cast<wide_time>(slide) + o;
}
/// The window `[start, start + size)` with both ends clamped into `[0, max timestamp]`: a
/// window that would start before 0 starts at 0 (the first window is truncated).
constexpr window clamped_window(wide_time start, timestamp size) noexcept {
  constexpr wide_time max = static_cast<wide_time>(std::numeric_limits<timestamp>::max());
  const wide_time end = start + static_cast<wide_time>(size);
  return {static_cast<timestamp>(start < 0 ? 0 : start), static_cast<timestamp>(end > max ? max : end)};
}
}  // namespace detail

/// Fixed-size, non-overlapping windows `[k*size + o, (k+1)*size + o)` with `o = offset % size`;
/// before `o` the first window is `[0, o)`.
struct tumbling_windows {
  tumbling_windows(timestamp size, timestamp offset = 0) : size(size), offset(offset) {
    if (size == 0) throw usage_error("tumbling_windows: size must be positive");
  }
  static constexpr bool merging = false;
  friend bool operator==(const tumbling_windows&, const tumbling_windows&) = default;
  void assign(timestamp t, std::vector<window>& out) const {
    out.push_back(detail::clamped_window(detail::aligned_start(t, size, offset), size));
  }
  timestamp size;
  timestamp offset;
};

/// Windows of `size` starting every `slide` (hopping windows); a record belongs to up to
/// `ceil(size / slide)` of them, and to none when `size < slide` and it falls between windows
/// (such a record has no on-time window, so it goes to the late stream).
struct sliding_windows {
  sliding_windows(timestamp size, timestamp slide, timestamp offset = 0) : size(size), slide(slide), offset(offset) {
    if (size == 0 || slide == 0) throw usage_error("sliding_windows: size and slide must be positive");
  }
  static constexpr bool merging = false;
  friend bool operator==(const sliding_windows&, const sliding_windows&) = default;
  void assign(timestamp t, std::vector<window>& out) const {
    // Starts s ≡ offset (mod slide) with s <= t < s + size, earliest first.
    const detail::wide_time last = detail::aligned_start(t, slide, offset);
    if (last + static_cast<detail::wide_time>(size) <= static_cast<detail::wide_time>(t)) return;  // size < slide: t in a gap
    detail::wide_time first = last;
    while (first - static_cast<detail::wide_time>(slide) + static_cast<detail::wide_time>(size) > static_cast<detail::wide_time>(t))
      first -= slide;
    for (detail::wide_time s = first; s <= last; s += slide) out.push_back(detail::clamped_window(s, size));
  }
  timestamp size;
  timestamp slide;
  timestamp offset;
};

/// Session windows: a record at `t` opens `[t, t + gap)`; windows that overlap or touch are
/// merged, so a session ends `gap` after its last record.
struct session_windows {
  explicit session_windows(timestamp gap) : gap(gap) {
    if (gap == 0) throw usage_error("session_windows: gap must be positive");
  }
  static constexpr bool merging = true;
  friend bool operator==(const session_windows&, const session_windows&) = default;
  void assign(timestamp t, std::vector<window>& out) const { out.push_back(detail::clamped_window(t, gap)); }
  timestamp gap;
};

/// Count windows: a key's records, in processing order, form consecutive windows of `count`
/// records; the k-th window (from 0) is reported as `[k*count, (k+1)*count)` in record
/// numbers, not in time. A window is emitted at the batch time of its `count`-th record; the
/// last, partial window of a key is not emitted (it stays counted as live state). Records of
/// one key with the same batch time are numbered in arrival order, which parallel upstream
/// operators may vary; records at different batch times are numbered in batch-time order.
struct count_windows {
  explicit count_windows(std::size_t count) : count(count) {
    if (count == 0) throw usage_error("count_windows: count must be positive");
  }
  static constexpr bool merging = false;
  friend bool operator==(const count_windows&, const count_windows&) = default;
  static constexpr bool count_based = true;
  std::size_t count;
};

/// Processing-time tumbling windows: a record belongs to the window of `size` (aligned to 0 of
/// the steady clock, in milliseconds) that contains the wall-clock time at which the window
/// operator receives it. A window fires when the wall clock reaches its end, even if no input
/// arrives, or when the input ends. Results are not deterministic across runs.
struct processing_time_windows {
  explicit processing_time_windows(std::chrono::milliseconds size) : size(static_cast<timestamp>(size.count())) {
    if (size.count() <= 0) throw usage_error("processing_time_windows: size must be positive");
  }
  static constexpr bool merging = false;
  friend bool operator==(const processing_time_windows&, const processing_time_windows&) = default;
  static constexpr bool processing_time = true;
  void assign(timestamp now_ms, std::vector<window>& out) const {
    out.push_back(detail::clamped_window(detail::aligned_start(now_ms, size, 0), size));
  }
  /// The clock windows are assigned by: steady-clock milliseconds.
  static timestamp now() noexcept {
    return static_cast<timestamp>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
  }
  timestamp size;
};

namespace detail {
template <class A>
inline constexpr bool is_count_assigner = requires { requires A::count_based; };
template <class A>
inline constexpr bool is_processing_time_assigner = requires { requires A::processing_time; };
}  // namespace detail

}  // namespace streamweave
