#pragma once
/// \file
/// `with_local_copy(slot, f)`: runs `f` on a stack copy of a small user functor and puts the
/// copy back, so the compiler can keep the functor's state (a counter, a pointer) in registers
/// inside a per-record loop.
///
/// Why: a functor stored as a member of a node body lives in memory that every store through
/// a record pointer may alias (a `std::uint64_t` counter and `std::uint64_t` records have the
/// same type), so the compiler reloads and re-stores it for every record. A local whose
/// address never leaves the loop cannot be aliased. Measured on W1q's source: the generator's
/// counter went from a load and a store per record to a register.
///
/// Thread safety: none needed; the slot belongs to one node body, run by one activation at a
/// time.
#include <optional>
#include <type_traits>
#include <utility>

namespace streamweave::detail {

/// Functors copied per batch: copying them is a few register moves and runs no user code.
/// (Closures with init-captures are not `is_trivially_copyable` in g++ 12, because their
/// assignment is deleted, so the test is on construction and destruction only.)
template <class F>
inline constexpr bool cheap_local_copy_v =
    std::is_trivially_copy_constructible_v<F> && std::is_trivially_destructible_v<F> && sizeof(F) <= 64;

/// Runs `f(functor)` on a local copy of `*slot` when `cheap_local_copy_v<F>`, and on `*slot`
/// itself otherwise. The copy is put back when `f` returns or throws, so the functor's state
/// carries over from one batch to the next as if it had run in place. Requires `slot` engaged.
template <class F, class Body>
void with_local_copy(std::optional<F>& slot, Body&& f) {
  if constexpr (cheap_local_copy_v<F>) {
    F local(*slot);
    struct put_back {
      std::optional<F>& slot;
      F& value;
      ~put_back() { slot.emplace(value); }
    } guard{slot, local};
    f(local);
  } else {
    f(*slot);
  }
}

}  // namespace streamweave::detail
