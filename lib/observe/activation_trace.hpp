#pragma once
/// \file
/// Activation tracing (`runtime_options::trace_capacity`, `execution::write_trace`): each
/// scheduling unit keeps its last `capacity` activations as spans in a ring, and the run keeps
/// its probes' frontier changes as instant events in another. lib/runtime/trace_writer.cpp
/// writes them out as Chrome trace-event JSON.
///
/// Thread safety: a ring has one writer at a time (the unit's running thread, or the tracker
/// owner for the probes' ring) and is read by `write_trace` on any thread; both take the
/// ring's mutex, which the writer alone takes on the hot path, uncontended, once per span.
#include <streamweave/progress/timestamp.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace streamweave::internal {

/// A small number for the calling thread, unique in the process for its life: the trace lane
/// ("tid") its spans are drawn in.
std::uint32_t trace_thread_index() noexcept;

/// One activation of a unit.
struct activation_span {
  std::int64_t start_ns = 0;  // steady clock
  std::int64_t duration_ns = 0;
  std::uint32_t thread = 0;  // trace_thread_index()
  std::uint64_t batches = 0;  // taken from the unit's input queues and fused edges
  std::uint64_t records = 0;
};

/// A probe's frontier change.
struct frontier_event {
  std::int64_t at_ns = 0;
  std::size_t probe = 0;
  timestamp frontier = 0;
};

/// The last `capacity` items pushed (older ones are overwritten), and how many were lost.
template <class T>
class trace_ring {
 public:
  explicit trace_ring(std::size_t capacity) : items_(capacity) {}
  void push(const T& item) {
    std::lock_guard lock(mutex_);
    items_[static_cast<std::size_t>(pushed_ % items_.size())] = item;
    ++pushed_;
  }
  /// The items kept, oldest first, and the count overwritten before them.
  std::vector<T> copy(std::uint64_t& overwritten) const {
    std::lock_guard lock(mutex_);
    const std::size_t kept = pushed_ < items_.size() ? static_cast<std::size_t>(pushed_) : items_.size();
    overwritten = pushed_ - kept;
    std::vector<T> out;
    out.reserve(kept);
    for (std::uint64_t i = pushed_ - kept; i < pushed_; ++i) out.push_back(items_[static_cast<std::size_t>(i % items_.size())]);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<T> items_;
  std::uint64_t pushed_ = 0;
};

}  // namespace streamweave::internal
