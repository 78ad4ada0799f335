#pragma once
/// \file
/// `keyed_stream<T, Key>`: a stream partitioned by key. `stream<T>::key_by(key, n)` exchanges
/// the stream so that every record with the same key, at every timestamp, reaches the same
/// one of `n` parallel instances; the keyed operators declared here then keep per-key state in
/// that instance without locks.
///
/// Thread safety: building is single-threaded, as for every graph call.
#include <streamweave/graph/stream.hpp>
#include <streamweave/window/window_options.hpp>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

namespace streamweave {

template <class T, class KeyFn, class Assigner, class EventTime>
class windowed_stream;
namespace detail {
struct no_event_time;
}

template <class T, class Key>
class keyed_stream {
 public:
  using value_type = T;
  /// The key type: what `Key` returns for a record, decayed.
  using key_type = std::decay_t<std::invoke_result_t<const Key&, const T&>>;

  keyed_stream(stream<T> exchanged, Key key) : stream_(std::move(exchanged)), key_(std::move(key)) {}

  /// The exchanged stream (its consumer gets one instance per partition).
  const stream<T>& exchanged() const noexcept { return stream_; }
  /// The key extractor.
  const Key& key() const noexcept { return key_; }
  /// Parallel instances of the operators that consume this keyed stream.
  std::size_t instances() const noexcept { return stream_.consumer_parallelism(); }

  // ---- keyed state and joins (keyed/...) ----

  // ---- windows (window/...) ----
  /// Event-time windows (tumbling, sliding, session: window/assigners.hpp) over
  /// `event_time(const T&)` (a timestamp). Defined in window/windowed_stream.hpp.
  template <class Assigner, class EventTime>
    requires std::is_invocable_v<const EventTime&, const T&>
  windowed_stream<T, Key, Assigner, EventTime> window(Assigner assigner, EventTime event_time, window_options options = {}) const;
  /// Count or processing-time windows (no event time).
  template <class Assigner>
  windowed_stream<T, Key, Assigner, detail::no_event_time> window(Assigner assigner, window_options options = {}) const;

 private:
  stream<T> stream_;
  Key key_;
};

template <class T>
template <class Key>
keyed_stream<T, Key> stream<T>::key_by(Key key, std::size_t n) const {
  static_assert(std::is_invocable_v<const Key&, const T&>, "key_by: the key function must accept const T&");
  return keyed_stream<T, Key>(exchange(key, n), key);
}

}  // namespace streamweave

#include <streamweave/window/windowed_stream.hpp>  // defines keyed_stream::window
