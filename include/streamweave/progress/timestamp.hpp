#pragma once
/// \file
/// Timestamps and path summaries: the algebra the progress tracker is built on.
///
/// A timestamp type `T` is described by `timestamp_traits<T>`:
///   - `minimum()`: the unique least element;
///   - `less_equal(a, b)`: the partial order that progress is tracked in;
///   - `operator<` on `T`: a total order that *extends* the partial order (used only to sort
///     and consolidate, never to decide completeness);
///   - `summary`: the path-summary type, the least change a timestamp undergoes along a path,
///     with `identity()`, `results_in(s, t)` (nullopt when no time survives, e.g. overflow),
///     `followed_by(s1, s2)` (composition, nullopt on overflow) and `summary_less_equal`;
///   - optionally `static constexpr bool totally_ordered = true`: `less_equal` is a total
///     order and agrees with `operator<=`. The tracker then keeps each location's counts in an
///     ordered map whose frontier is its earliest positive entry (O(log n) per update over n
///     distinct outstanding times) instead of re-sorting a change batch whenever the frontier
///     may move. `totally_ordered_time<T>()` reads it; absent means false.
///
/// Laws (checked by test/progress/timestamp_laws_test.cpp for every built-in type):
///   - `results_in` and `followed_by` are monotone in both arguments;
///   - `results_in(identity(), t) == t`;
///   - `results_in(s, t) >= t` for every summary that can lie on a cycle (a cycle whose
///     summary lowered a time would make that time wait for itself). Every built-in summary
///     keeps it everywhere. The runtime's own loop time (lib/progress/scoped_time.hpp) has one
///     summary that lowers times, leaving a loop ((epoch, round) -> epoch), and it rejects
///     every cycle through a loop boundary before the tracker is built, so it keeps the law in
///     this form;
///   - `results_in(followed_by(a, b), t) == results_in(b, results_in(a, t))` when both exist.
///
/// Built-ins: `std::uint64_t` (epochs; a summary is a checked addend) and `product<A, B>`
/// (for loops: `(epoch, round)` in the product partial order, lexicographic total order).
#include <compare>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>

namespace streamweave {

/// The default logical time of a batch: an unsigned 64-bit epoch.
using timestamp = std::uint64_t;

/// The largest time a record, a capability or an input may carry: 2^64 - 2. The value
/// 2^64 - 1 is reserved for the *empty frontier* ("nothing more can arrive"), so every API
/// that sets a time (`input_handle::advance_to`, `capability::delayed` and `downgrade`)
/// rejects it with `usage_error`, and watermarks are clamped to `max_timestamp`.
inline constexpr timestamp max_timestamp = std::numeric_limits<timestamp>::max() - 1;

template <class T>
struct timestamp_traits;

/// Epoch timestamps. A path summary is a non-negative addend; additions that overflow yield
/// "no time" rather than wrapping.
template <>
struct timestamp_traits<std::uint64_t> {
  using summary = std::uint64_t;
  static constexpr bool totally_ordered = true;
  static constexpr std::uint64_t minimum() noexcept { return 0; }
  static constexpr bool less_equal(std::uint64_t a, std::uint64_t b) noexcept { return a <= b; }
  static constexpr summary identity() noexcept { return 0; }
  static constexpr std::optional<std::uint64_t> results_in(summary s, std::uint64_t t) noexcept {
    if (t > std::numeric_limits<std::uint64_t>::max() - s) return std::nullopt;
    return t + s;
  }
  static constexpr std::optional<summary> followed_by(summary a, summary b) noexcept {
    if (a > std::numeric_limits<summary>::max() - b) return std::nullopt;
    return a + b;
  }
  static constexpr bool summary_less_equal(summary a, summary b) noexcept { return a <= b; }
};

/// A pair of timestamps ordered component-wise (the product partial order), e.g.
/// `(epoch, round)` inside a loop. `operator<=>` is lexicographic, which extends the product
/// order and is used only for sorting.
template <class A, class B>
struct product {
  A outer{};
  B inner{};
  friend constexpr auto operator<=>(const product&, const product&) = default;
};

/// Summary of a product timestamp: one summary per coordinate, applied component-wise.
template <class SA, class SB>
struct product_summary {
  SA outer{};
  SB inner{};
  friend constexpr bool operator==(const product_summary&, const product_summary&) = default;
};

template <class A, class B>
struct timestamp_traits<product<A, B>> {
  using outer_traits = timestamp_traits<A>;
  using inner_traits = timestamp_traits<B>;
  using summary = product_summary<typename outer_traits::summary, typename inner_traits::summary>;
  using time = product<A, B>;

  static constexpr time minimum() noexcept { return {outer_traits::minimum(), inner_traits::minimum()}; }
  static constexpr bool less_equal(const time& a, const time& b) noexcept {
    return outer_traits::less_equal(a.outer, b.outer) && inner_traits::less_equal(a.inner, b.inner);
  }
  static constexpr summary identity() noexcept { return {outer_traits::identity(), inner_traits::identity()}; }
  static constexpr std::optional<time> results_in(const summary& s, const time& t) noexcept {
    auto o = outer_traits::results_in(s.outer, t.outer);
    auto i = inner_traits::results_in(s.inner, t.inner);
    if (!o || !i) return std::nullopt;
    return time{*o, *i};
  }
  static constexpr std::optional<summary> followed_by(const summary& a, const summary& b) noexcept {
    auto o = outer_traits::followed_by(a.outer, b.outer);
    auto i = inner_traits::followed_by(a.inner, b.inner);
    if (!o || !i) return std::nullopt;
    return summary{*o, *i};
  }
  static constexpr bool summary_less_equal(const summary& a, const summary& b) noexcept {
    return outer_traits::summary_less_equal(a.outer, b.outer) &&
           inner_traits::summary_less_equal(a.inner, b.inner);
  }
};

/// A type usable as a logical time by the progress tracker.
template <class T>
concept timestamp_type = std::totally_ordered<T> && std::copyable<T> && requires(const T& t) {
  typename timestamp_traits<T>::summary;
  { timestamp_traits<T>::minimum() } -> std::convertible_to<T>;
  { timestamp_traits<T>::less_equal(t, t) } -> std::convertible_to<bool>;
  { timestamp_traits<T>::identity() } -> std::convertible_to<typename timestamp_traits<T>::summary>;
};

/// Whether `timestamp_traits<T>` declares `less_equal` a total order (see the file comment).
template <class T>
constexpr bool totally_ordered_time() noexcept {
  if constexpr (requires { timestamp_traits<T>::totally_ordered; }) {
    return timestamp_traits<T>::totally_ordered;
  } else {
    return false;
  }
}

}  // namespace streamweave
