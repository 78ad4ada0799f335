#pragma once
/// \file
/// `record_size<T>`: how many bytes a record of type `T` accounts for when edge queues are
/// bounded in bytes (`runtime_options::queue_bytes`).
///
/// The default is `sizeof(T)`, which is exact for flat records and computed per batch without
/// looking at the records. A record that owns heap memory (a string, a vector, a message
/// buffer) should report it, by specializing the trait in namespace `streamweave`:
///
///     template <>
///     struct streamweave::record_size<my_message> {
///       static std::size_t bytes(const my_message& m) noexcept { return sizeof(m) + m.payload.capacity(); }
///     };
///
/// A specialization is called once per record when a batch enters a byte-bounded queue (and
/// when an input handle stages a record), so keep it cheap; it must not throw.
#include <cstddef>

namespace streamweave {

template <class T>
struct record_size {
  static constexpr std::size_t bytes(const T&) noexcept { return sizeof(T); }
  /// Marks the default: a batch's size is then `records * sizeof(T)`, without a loop.
  using streamweave_sizeof_default = void;
};

namespace detail {
/// True when `record_size<T>` is the library's default (sizeof) rather than a specialization.
template <class T>
concept sizeof_record_size = requires { typename record_size<T>::streamweave_sizeof_default; };
}  // namespace detail

}  // namespace streamweave
