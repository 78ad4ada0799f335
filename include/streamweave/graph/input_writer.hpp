#pragma once
/// \file
/// `input_writer<T>`: a single-thread writer into an input, for hosts that send many records
/// from one thread and want the cost of a hand-written batch handoff. Created by
/// `input_handle<T>::writer()`; any number of writers and handles may feed one input.
///
/// `send` appends to a batch the writer owns, with no lock and no atomic operation. The batch is
/// handed to the graph when it is full (`batch_size` records, or a quarter of `queue_bytes`
/// when that budget is set), on `flush()`, `advance_to()` and `close()`, and when the writer is
/// destroyed. Handing over takes the input's lock once per batch and blocks while the graph is
/// back-pressured, like `input_handle::send`.
///
/// Time: records are stamped with the input's time at the moment the writer *hands them over*,
/// not when `send` was called. Use the writer's own `advance_to`, which hands over what the
/// writer holds at the old time before it moves the time; after `writer.advance_to(t + 1)`
/// returns, every record this writer sent before it is at a time `<= t`. If another handle or
/// writer advances the input while this writer holds records, they get the new time.
///
/// Errors: a hand-over on an input that was closed (through any copy), whose run stopped
/// (`cancelled_error`), or that is not running (`usage_error`) throws, naming the input and
/// the number of records the writer held; those records are not sent. The writer's own
/// `close()` hands its records over first, so a writer used alone never loses one.
/// Destruction hands over what the writer holds without waiting for queue space (the input's
/// next waiting call, or its close, delivers it); if it cannot, it logs a warning with the
/// count instead of throwing.
///
/// Thread safety: none for one writer; use it from one thread at a time (moving it to another
/// thread with the usual synchronization is fine). Different writers and handles of one input
/// may be used from different threads concurrently: each hand-over is one linearizable call on
/// the input (docs/architecture.md, "Input handles and threads").
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/input_state.hpp>
#include <streamweave/graph/input_handle.hpp>
#include <streamweave/runtime/record_size.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace streamweave {

template <class T>
class input_writer {
 public:
  explicit input_writer(input_handle<T> handle) : handle_(std::move(handle)) {}
  input_writer(input_writer&& other) noexcept
      : handle_(other.handle_), batch_(std::exchange(other.batch_, nullptr)), limit_(other.limit_),
        byte_limit_(other.byte_limit_), bytes_(std::exchange(other.bytes_, 0)) {}
  input_writer& operator=(input_writer&& other) noexcept {
    if (this != &other) {
      hand_over_on_destruction();
      handle_ = other.handle_;
      batch_ = std::exchange(other.batch_, nullptr);
      limit_ = other.limit_;
      byte_limit_ = other.byte_limit_;
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }
  input_writer(const input_writer&) = delete;
  input_writer& operator=(const input_writer&) = delete;
  ~input_writer() { hand_over_on_destruction(); }

  /// Appends one record to the writer's batch; when the batch is full, hands it over and
  /// blocks while the graph is back-pressured. If moving the record throws, nothing changes.
  void send(T record) {
    if (batch_ == nullptr) [[unlikely]]
      start_batch();
    batch_->records.push_back(std::move(record));
    if (byte_limit_ != 0) bytes_ += record_size<T>::bytes(batch_->records.back());
    if (batch_->records.size() >= limit_ || (byte_limit_ != 0 && bytes_ >= byte_limit_)) [[unlikely]]
      hand_over(true);
  }
  /// Sends copies of `records`, in order, like repeated `send` (not all or nothing: records
  /// in batches handed over before a copy throws stay sent).
  void send(std::span<const T> records) {
    for (const T& r : records) send(r);
  }

  /// Hands over what the writer holds now and waits for queue space.
  void flush() {
    if (held() != 0) hand_over(true);
  }

  /// Hands over what the writer holds at the input's current time, then moves the input to `t`
  /// (`input_handle::advance_to`), both under one hold of the input's lock.
  void advance_to(timestamp t) {
    auto& state = *handle_.state_;
    auto lock = state.lock();
    if (held() != 0) state.hand_over_written(lock, take_batch(), false, "advance_to");
    state.advance_to(lock, t);
  }

  /// Hands over what the writer holds, then closes the input for every copy
  /// (`input_handle::close`). Throws `usage_error` (with the count) only when the writer held
  /// records that can no longer be sent because the input was already closed or its run ended;
  /// when the run stopped (cancel or failure) they are dropped quietly, like the records an
  /// input handle had staged, and `wait()` reports why the run stopped.
  void close() {
    auto& state = *handle_.state_;
    auto lock = state.lock();
    if (held() != 0) {
      if (state.cancelled.load(std::memory_order_acquire))
        detail::release_batch(take_batch());
      else
        state.hand_over_written(lock, take_batch(), false, "close");
    }
    state.close(lock);
  }

  /// The input's current time (the time the writer's held records would get now).
  timestamp time() const { return handle_.time(); }
  /// Records the writer holds that the input has not seen yet.
  std::size_t held() const noexcept { return batch_ == nullptr ? 0 : batch_->records.size(); }
  const std::string& name() const noexcept { return handle_.name(); }

 private:
  void start_batch() {
    auto& state = *handle_.state_;
    const auto lock = state.lock();
    state.check_can_send("send");
    limit_ = state.batch_size();
    byte_limit_ = state.batch_bytes();
    bytes_ = 0;
    batch_ = detail::acquire_batch<T>(state.pool(), state.time(), limit_);
  }
  detail::batch_base* take_batch() noexcept {
    bytes_ = 0;
    return std::exchange(batch_, nullptr);
  }
  void hand_over(bool wait) {
    auto& state = *handle_.state_;
    auto lock = state.lock();
    state.hand_over_written(lock, take_batch(), wait, "send");
  }
  void hand_over_on_destruction() noexcept {
    if (batch_ == nullptr) return;
    if (held() == 0) {
      detail::release_batch(take_batch());
      return;
    }
    auto& state = *handle_.state_;
    auto lock = state.lock();
    state.hand_over_written_or_warn(take_batch());
  }

  input_handle<T> handle_;
  detail::batch<T>* batch_ = nullptr;  // owned; acquired from the input's pool
  std::size_t limit_ = 0;               // records per batch, from the input when the batch started
  std::size_t byte_limit_ = 0;          // bytes per batch (0: not measured)
  std::size_t bytes_ = 0;               // bytes in batch_ while byte_limit_ != 0
};

template <class T>
input_writer<T> input_handle<T>::writer() const {
  return input_writer<T>(*this);
}

}  // namespace streamweave
