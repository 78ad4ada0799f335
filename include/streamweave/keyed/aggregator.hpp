#pragma once
/// \file
/// The aggregator concept shared by keyed aggregations (`keyed_stream::aggregate`,
/// `running_aggregate`) and windowed aggregations: how records of type `T` fold into an
/// accumulator and how an accumulator becomes a result.
///
/// An aggregator is a small copyable value `agg` with, for an accumulator type `A` and a
/// result type `Out` of its choice:
///
///     A    agg.init() const                      // the empty accumulator (no record yet)
///     void agg.accumulate(A& acc, const T& r) const  // folds one record into acc
///     void agg.merge(A& acc, A&& other) const      // folds a whole accumulator into acc
///     Out  agg.finish(A&& acc) const               // the result for an accumulator
///
/// `A` is `decltype(agg.init())` (decayed) and `Out` is what `finish` returns (decayed); an
/// aggregator declares no member types. `finish` may take `const A&` or `A` instead of `A&&`:
/// whatever accepts an rvalue `A`. Operators that keep accumulating after emitting a result
/// (the running variants) call `finish` with a copy of the accumulator, or with a `const A&`
/// when `finish` accepts one, so an accumulator is never observed after it was moved from.
///
/// Laws the operators rely on (they are not checked):
///  - `merge` is associative, and `init()` is its identity: merging accumulators built from
///    two disjoint sets of records gives the accumulator of their union.
///  - For per-timestamp keyed aggregation the order of `accumulate` calls inside one
///    timestamp follows arrival, which is not deterministic across runs with several
///    upstream instances: an aggregator whose result depends on that order (e.g. "first
///    record") gives non-deterministic results. Make `accumulate` commutative for
///    deterministic output.
///  - `merge` is not used by per-timestamp keyed aggregation (one accumulator per key and
///    timestamp); windowed operators use it to combine panes or merge session windows.
///
/// Thread safety: an operator copies its aggregator into every parallel instance and calls
/// each copy from one activation at a time, so the member functions need no locks (but must
/// not share mutable state across copies without synchronisation).
///
/// Ready-made aggregators: `count_aggregator`, `sum_aggregator`, `reduce_aggregator`,
/// `arg_max_aggregator` (every record at the largest score, ties included).
#include <concepts>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamweave {

/// The accumulator type of aggregator `Agg`.
template <class Agg>
using aggregator_accumulator_t = std::decay_t<decltype(std::declval<const Agg&>().init())>;

/// The result type of aggregator `Agg`.
template <class Agg>
using aggregator_result_t =
    std::decay_t<decltype(std::declval<const Agg&>().finish(std::declval<aggregator_accumulator_t<Agg>&&>()))>;

/// `Agg` aggregates records of type `T` (see the file comment for the contract).
template <class Agg, class T>
concept aggregator_for =
    std::copy_constructible<Agg> && requires(const Agg& agg, aggregator_accumulator_t<Agg>& acc,
                                             aggregator_accumulator_t<Agg>&& other, const T& record) {
      { agg.init() };
      agg.accumulate(acc, record);
      agg.merge(acc, std::move(other));
      { agg.finish(std::move(other)) };
    } && std::move_constructible<aggregator_accumulator_t<Agg>> && std::move_constructible<aggregator_result_t<Agg>>;

/// The result of `agg` for `acc`, leaving `acc` usable: passes `acc` by const reference when
/// `finish` accepts one, otherwise a copy.
template <class Agg, class A>
aggregator_result_t<Agg> finish_copy(const Agg& agg, const A& acc) {
  if constexpr (requires { agg.finish(acc); })
    return agg.finish(acc);
  else
    return agg.finish(A(acc));
}

/// Counts records: `Out` is `std::uint64_t`.
struct count_aggregator {
  std::uint64_t init() const noexcept { return 0; }
  template <class T>
  void accumulate(std::uint64_t& acc, const T&) const noexcept {
    ++acc;
  }
  void merge(std::uint64_t& acc, std::uint64_t other) const noexcept { acc += other; }
  std::uint64_t finish(std::uint64_t acc) const noexcept { return acc; }
};

/// Sums `value(const T&)` over the records as a `V`, starting from `V{}`. Make one with
/// `sum_of<V>(value)`.
template <class V, class Value>
struct sum_aggregator {
  Value value;
  V init() const { return V{}; }
  template <class T>
  void accumulate(V& acc, const T& r) const {
    acc += static_cast<V>(value(r));
  }
  void merge(V& acc, V&& other) const { acc += other; }
  V finish(const V& acc) const { return acc; }
};

/// A `sum_aggregator` adding up `value(r)` as a `V`.
template <class V, class Value>
sum_aggregator<V, Value> sum_of(Value value) {
  return {std::move(value)};
}

/// Folds records with `f(T acc, const T& r) -> T`; the first record of a key starts the fold.
/// Accumulator `std::optional<T>`, result `T` (finish is only called on accumulators that saw
/// at least one record). `merge` applies `f(acc, other)`, so `f` should be associative.
template <class T, class F>
struct reduce_aggregator {
  F f;
  std::optional<T> init() const { return std::nullopt; }
  void accumulate(std::optional<T>& acc, const T& r) const {
    if (acc)
      acc = f(std::move(*acc), r);
    else
      acc.emplace(r);
  }
  void merge(std::optional<T>& acc, std::optional<T>&& other) const {
    if (!other) return;
    if (acc)
      acc = f(std::move(*acc), std::as_const(*other));
    else
      acc = std::move(other);
  }
  T finish(const std::optional<T>& acc) const { return *acc; }
  T finish(std::optional<T>&& acc) const { return std::move(*acc); }
};

/// Arg-max with ties: keeps every record whose `score(const T&)` is the largest seen (compared
/// with `<`), so a tie keeps all of the tied records. Accumulator: the best score and the
/// records at it; result: `std::vector<T>`, the records at the maximum in an unspecified order
/// (sort them for deterministic output); empty only for an accumulator without records. Make
/// one with `arg_max_by<T>(score)`. Per window (`window(...).aggregate`) or per key and
/// timestamp (`aggregate`) it gives "the highest bid(s) of the window"; to merge partial
/// maxima of several instances, aggregate their records again with the same score.
template <class T, class Score>
struct arg_max_aggregator {
  using score_type = std::decay_t<std::invoke_result_t<const Score&, const T&>>;
  struct accumulator {
    std::optional<score_type> best;
    std::vector<T> records;
  };
  Score score;

  accumulator init() const { return {}; }
  void accumulate(accumulator& acc, const T& r) const {
    score_type s = score(r);
    if (!acc.best || *acc.best < s) {
      acc.best = std::move(s);
      acc.records.clear();
      acc.records.push_back(r);
    } else if (!(s < *acc.best)) {
      acc.records.push_back(r);
    }
  }
  void merge(accumulator& acc, accumulator&& other) const {
    if (!other.best) return;
    if (!acc.best || *acc.best < *other.best) {
      acc = std::move(other);
    } else if (!(*other.best < *acc.best)) {
      acc.records.insert(acc.records.end(), std::make_move_iterator(other.records.begin()),
                         std::make_move_iterator(other.records.end()));
    }
  }
  std::vector<T> finish(accumulator&& acc) const { return std::move(acc.records); }
  std::vector<T> finish(const accumulator& acc) const { return acc.records; }
};

/// An `arg_max_aggregator` over records of type `T` scored by `score(const T&)`.
template <class T, class Score>
arg_max_aggregator<T, Score> arg_max_by(Score score) {
  return {std::move(score)};
}

}  // namespace streamweave
