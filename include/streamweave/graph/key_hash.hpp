#pragma once
/// \file
/// `key_hash<K>`: how `exchange`, `key_by` and every keyed operator hash keys. It is
/// `std::hash<K>` where that is enabled, and combines the parts of `std::pair` and `std::tuple`
/// keys, so composite keys such as `(window start, person id)` need no user code. For any other
/// type, specialize `std::hash<K>` (or `streamweave::key_hash<K>`, with a `const` call operator
/// returning `std::size_t`).
///
/// A key type without a hash is reported once, by `key_by` or `exchange`, with a message that
/// says what to do, instead of a page of errors from inside a hash table.
///
/// Thread safety: stateless; any thread.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace streamweave {

namespace detail {
template <class K>
concept std_hashable = requires(const K& k) {
  { std::hash<K>{}(k) } -> std::convertible_to<std::size_t>;
};
/// Mixes `h` into `seed` (order matters, so (a, b) and (b, a) differ).
constexpr std::size_t hash_combine(std::size_t seed, std::size_t h) noexcept {
  return seed ^ (h + std::size_t{0x9e3779b97f4a7c15ULL} + (seed << 6) + (seed >> 2));
}
}  // namespace detail

/// `std::hash<K>`, when it is enabled (see the file comment for composite keys).
template <class K>
struct key_hash {
  /// Whether `K` can be hashed: `key_by` and `exchange` check it.
  static constexpr bool enabled = detail::std_hashable<K>;
  std::size_t operator()(const K& k) const {
    static_assert(detail::std_hashable<K>,
                  "streamweave: this key type has no hash. Specialize std::hash<K> or streamweave::key_hash<K> "
                  "(std::pair and std::tuple of hashable types need nothing)");
    if constexpr (detail::std_hashable<K>)
      return std::hash<K>{}(k);
    else
      return 0;
  }
};

template <class A, class B>
struct key_hash<std::pair<A, B>> {
  static constexpr bool enabled = key_hash<A>::enabled && key_hash<B>::enabled;
  std::size_t operator()(const std::pair<A, B>& p) const {
    return detail::hash_combine(key_hash<A>{}(p.first), key_hash<B>{}(p.second));
  }
};

template <class... Ts>
struct key_hash<std::tuple<Ts...>> {
  static constexpr bool enabled = (key_hash<Ts>::enabled && ...);
  std::size_t operator()(const std::tuple<Ts...>& t) const {
    return std::apply(
        [](const Ts&... parts) {
          std::size_t seed = 0;
          ((seed = detail::hash_combine(seed, key_hash<Ts>{}(parts))), ...);
          return seed;
        },
        t);
  }
};

namespace detail {
/// True when `key_hash<K>` can hash `K`: its `enabled` flag, or any user specialization
/// without one.
template <class K>
constexpr bool key_hash_enabled() {
  if constexpr (requires { key_hash<K>::enabled; })
    return key_hash<K>::enabled;
  else
    return std::is_invocable_r_v<std::size_t, const key_hash<K>&, const K&>;
}

/// The per-key state table of keyed operators.
template <class K, class V>
using key_map = std::unordered_map<K, V, key_hash<K>>;
}  // namespace detail

}  // namespace streamweave
