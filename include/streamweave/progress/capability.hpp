#pragma once
/// \file
/// `capability`: the right of one operator instance to emit records at a time on one of its
/// outputs. RAII: creating or copying a capability counts `+1` at (output, time) in the progress
/// tracker, destroying it counts `-1`; while any capability at `t` is held, no frontier
/// downstream of that output can pass `t`.
///
/// Requirements: a capability is used and destroyed only inside activations of the operator
/// instance that owns it (it posts to that instance's progress buffer). It must never be handed
/// to another operator or to an outside thread. Dropping every capability you do not need is
/// what lets time advance: a leaked capability stalls progress. A library built with
/// `STREAMWEAVE_ASSERTIONS` (detail/assert.hpp) checks part of the first rule: a capability
/// copied, moved in time or released inside the activation of another scheduling unit aborts
/// with a message (operators fused into one unit are not told apart, and use outside
/// activations is not checked).
#include <streamweave/detail/progress_buffer.hpp>
#include <streamweave/error.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <string>
#include <utility>

namespace streamweave {

class capability {
 public:
  /// An empty capability, which allows nothing.
  capability() = default;

  capability(const capability& other) : buffer_(other.buffer_), location_(other.location_), time_(other.time_) {
    if (buffer_ != nullptr) post(+1);
  }
  capability(capability&& other) noexcept
      : buffer_(std::exchange(other.buffer_, nullptr)), location_(other.location_), time_(other.time_) {}
  capability& operator=(capability other) noexcept {
    swap(other);
    return *this;
  }
  ~capability() { reset(); }

  /// Releases the capability now (as the destructor would).
  void reset() noexcept {
    if (buffer_ != nullptr) {
      post(-1);
      buffer_ = nullptr;
    }
  }

  bool valid() const noexcept { return buffer_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }
  timestamp time() const noexcept { return time_; }
  /// The tracker location (operator output) this capability is counted at.
  progress::location_id location() const noexcept { return location_; }

  /// A new capability for the same output at `t`. Throws `usage_error` when `t` is earlier than
  /// this capability's time, beyond `max_timestamp`, or this capability is empty.
  capability delayed(timestamp t) const {
    check_later(t, "delayed");
    return capability(buffer_, location_, t);
  }

  /// Moves this capability to the later time `t` (`-1` at the old time, `+1` at `t`). Throws
  /// like `delayed`.
  void downgrade(timestamp t) {
    check_later(t, "downgrade");
    check_owner();
    buffer_->post(location_, t, +1);
    buffer_->post(location_, time_, -1);
    time_ = t;
  }

  void swap(capability& other) noexcept {
    std::swap(buffer_, other.buffer_);
    std::swap(location_, other.location_);
    std::swap(time_, other.time_);
  }

  /// Runtime use only: mints a capability and counts it.
  static capability mint(detail::progress_buffer* buffer, progress::location_id loc, timestamp t) {
    return capability(buffer, loc, t);
  }

 private:
  capability(detail::progress_buffer* buffer, progress::location_id loc, timestamp t)
      : buffer_(buffer), location_(loc), time_(t) {
    post(+1);
  }
  /// Counts `delta` at (location, time) in the owner's progress buffer.
  void post(std::int64_t delta) const {
    check_owner();
    buffer_->post(location_, time_, delta);
  }
  void check_owner() const noexcept { detail::check_capability_owner(buffer_); }
  void check_later(timestamp t, const char* what) const {
    if (buffer_ == nullptr) throw usage_error(std::string("capability::") + what + " on an empty capability");
    if (t < time_)
      throw usage_error(std::string("capability::") + what + " to time " + std::to_string(t) +
                        ", earlier than the capability's time " + std::to_string(time_));
    if (t > max_timestamp)
      throw usage_error(std::string("capability::") + what + " to time " + std::to_string(t) +
                        ", beyond the largest time, max_timestamp = 2^64 - 2 (2^64 - 1 is the empty frontier)");
  }

  detail::progress_buffer* buffer_ = nullptr;
  progress::location_id location_ = 0;
  timestamp time_ = 0;
};

}  // namespace streamweave
