#pragma once
/// \file
/// `input_handle<T>`: feeds a graph from outside threads (the in-process equivalent of a
/// message producer). Created by `graph::input<T>(name)`; copies share one input.
///
/// Records sent are buffered into a batch at the input's current time and handed to the graph
/// when the batch is full (`batch_size` records, or a quarter of `queue_bytes` when that
/// budget is set), on `flush()`, on `advance_to()` and on `close()`. `advance_to(t)` promises that no
/// record earlier than `t` will follow; time `t - 1` can then complete downstream. The input
/// holds back every frontier downstream until it advances or closes, and the run cannot
/// complete while it is open. Destroying the last copy closes it.
///
/// Back-pressure: `send`, `flush`, `advance_to` and `close` block while the graph's queues are
/// full; `try_send`, `try_flush` and `try_advance_to` return false instead. A blocked call
/// throws `cancelled_error` when the run stops (cancel or operator failure).
///
/// Thread safety: every member may be called from any thread, on any copy. Calls on copies of
/// one input are serialised, and each takes effect atomically at one point: a record is
/// stamped with the time `time()` returns at that point, and `advance_to` and `close` change
/// the time or end the input *before* they wait for queue space, so a call that blocks never
/// applies a stale decision when it resumes. While only one thread sends, its `send` takes no
/// lock per record (the input is biased to it; other threads' calls revoke that first). See
/// docs/architecture.md, "Input handles and threads", for the full contract.
/// Errors: `usage_error` (naming the input) for send after close, send before `runtime::run`,
/// `advance_to` going backwards or beyond `max_timestamp`.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/input_state.hpp>
#include <streamweave/runtime/record_size.hpp>

#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

namespace streamweave {

template <class T>
class input_writer;

namespace detail {

/// Appends copies of records to an input's staging batch, continuing in fresh batches when one
/// fills, without handing anything over until `commit`. If a copy throws, the destructor
/// undoes everything: the staging batch is cut back and the fresh batches are released, so a
/// `send(span)` that fails sends nothing. Requires the input's mutex.
template <class T>
class staged_append {
 public:
  explicit staged_append(input_state& s) : s_(s) {
    if (s_.staging() == nullptr) s_.staging() = acquire_batch<T>(s_.pool(), s_.time(), s_.batch_size());
    first_ = static_cast<batch<T>*>(s_.staging());
    kept_ = first_->records.size();
    kept_bytes_ = s_.staged_bytes();
    bytes_ = kept_bytes_;
  }
  staged_append(const staged_append&) = delete;
  staged_append& operator=(const staged_append&) = delete;
  ~staged_append() {
    if (committed_) return;
    while (first_->records.size() > kept_) first_->records.pop_back();
    s_.staged_bytes() = kept_bytes_;
    for (batch<T>* b : more_)
      if (b != nullptr) release_batch(b);
  }

  void append(const T& r) {
    if (current_full()) {
      more_.push_back(nullptr);  // room first, so the new batch is never lost
      more_.back() = acquire_batch<T>(s_.pool(), s_.time(), s_.batch_size());
      bytes_ = 0;
    }
    batch<T>* current = more_.empty() ? first_ : more_.back();
    current->records.push_back(r);
    if (s_.batch_bytes() != 0) bytes_ += record_size<T>::bytes(current->records.back());
  }

  /// Hands every full batch over (in order, at the current time) and keeps the last partial
  /// one as the staging batch. Returns true when something was handed over.
  bool commit() {
    committed_ = true;
    s_.staging() = nullptr;
    s_.staged_bytes() = 0;
    if (!current_full()) {
      s_.staging() = more_.empty() ? first_ : more_.back();
      s_.staged_bytes() = bytes_;
      if (more_.empty()) return false;
      more_.pop_back();
    }
    std::size_t next = 0;  // more_[next..] are still ours: hand_over takes its batch even when it throws
    try {
      s_.hand_over(first_);
      while (next < more_.size()) s_.hand_over(more_[next++]);
    } catch (...) {
      // The run stopped (an exchange key function threw): nothing downstream reads the rest.
      for (; next < more_.size(); ++next) release_batch(more_[next]);
      throw;
    }
    return true;
  }

 private:
  /// True when the batch being filled has `batch_size` records or reached the byte budget.
  bool current_full() const noexcept {
    const batch<T>* current = more_.empty() ? first_ : more_.back();
    const std::size_t limit = s_.batch_bytes();
    return current->records.size() >= s_.batch_size() || (limit != 0 && bytes_ >= limit);
  }

  input_state& s_;
  batch<T>* first_ = nullptr;
  std::vector<batch<T>*> more_;
  std::size_t kept_ = 0;
  std::size_t kept_bytes_ = 0;
  std::size_t bytes_ = 0;  // of the current (last) batch
  bool committed_ = false;
};

}  // namespace detail

template <class T>
class input_handle {
 public:
  explicit input_handle(std::shared_ptr<detail::input_state> state)
      : state_(std::move(state)), closer_(std::shared_ptr<void>(nullptr, [s = state_](void*) {
          auto lock = s->lock();
          s->close(lock);
        })) {}

  /// Sends one record at the current time; blocks while the graph is back-pressured. If moving
  /// the record into the batch throws, nothing is sent.
  void send(T record) {
    if (append_biased(record)) return;
    send_locked(std::move(record));
  }

  /// Sends copies of `records`, all at the current time, as (part of) batches; blocks like
  /// `send`. All or nothing: if copying a record throws, none of them is sent (records staged
  /// by earlier calls stay staged) and the exception propagates.
  void send(std::span<const T> records) {
    auto lock = state_->lock();
    state_->check_can_send("send");
    if (records.empty()) return;
    detail::staged_append<T> append(*state_);
    for (const T& r : records) append.append(r);
    if (append.commit())
      state_->wait_for_space(lock);
    else
      state_->offer_bias(lock);  // counts this thread as a sender (a second one ends biasing)
  }
  void send(const std::vector<T>& records) { send(std::span<const T>(records)); }

  /// Like `send`, but never blocks: returns false while the graph is back-pressured, and then
  /// leaves `record` as it was (it is moved from, or copied, only when accepted), so the caller
  /// can offer it again. Call `flush()` or `advance_to()` later (or `try_flush()` until it
  /// returns true) to make sure records staged by accepted calls are delivered.
  bool try_send(T&& record) { return try_offer(std::move(record)); }
  bool try_send(const T& record) { return try_offer(record); }

  /// Hands staged records to the graph now (low latency) and waits for queue space.
  void flush() {
    auto lock = state_->lock();
    state_->flush(lock, true);
  }

  /// Promises that no record earlier than `t` follows. Sends what is staged first (at the old
  /// time); the new time is in effect for every copy before the call waits for queue space.
  /// Throws `usage_error` when `t < time()`, when `t > max_timestamp` or after `close()`.
  void advance_to(timestamp t) {
    auto lock = state_->lock();
    state_->advance_to(lock, t);
  }

  /// Like `advance_to`, but never waits for queue space: the new time takes effect all the
  /// same, and it returns false while earlier batches still wait for space. Those move only
  /// on a later call of this handle (any copy): `try_flush` or `try_send` move what fits,
  /// `flush`, `send` and `close` wait until all have moved.
  bool try_advance_to(timestamp t) {
    auto lock = state_->lock();
    return state_->advance_to(lock, t, false);
  }

  /// Like `flush`, but never waits: hands the staged records over and moves the batches that
  /// wait for queue space as far as there is room now. Returns false while some still wait.
  /// A caller that only ever uses `try_*` calls must call this (or `try_send`) again until it
  /// returns true: accepted records that met a full queue move on no other thread.
  bool try_flush() {
    auto lock = state_->lock();
    return state_->flush(lock, false);
  }

  /// Sends what is staged and ends the input. Idempotent.
  void close() {
    auto lock = state_->lock();
    state_->close(lock);
  }

  /// The input's current time.
  timestamp time() const {
    const auto lock = state_->lock_for_reading();  // the time changes only under the mutex
    return state_->time();
  }
  const std::string& name() const noexcept { return state_->name(); }

  /// A single-thread writer into this input (graph/input_writer.hpp): `send` without a lock
  /// per record, one hand-over per batch. Records a writer holds get the input's time when
  /// the writer hands them over; see the writer's contract.
  input_writer<T> writer() const;

 private:
  friend class input_writer<T>;

  template <class R>
  bool try_offer(R&& record) {
    auto lock = state_->lock();
    state_->check_can_send("try_send");
    if (state_->backpressured()) return false;
    if (staging_full() && !state_->flush(lock, false)) return false;
    stage(std::forward<R>(record));  // the record leaves the caller only here
    if (staging_full())
      state_->flush(lock, false);
    else
      state_->offer_bias(lock);
    return true;
  }

  bool staging_full() const noexcept {
    const detail::batch_base* b = state_->staging();
    if (b == nullptr) return false;
    const std::size_t limit = state_->batch_bytes();
    // The staging batch is always a batch<T>: no virtual call on the per-record path.
    return static_cast<const detail::batch<T>*>(b)->records.size() >= state_->batch_size() ||
           (limit != 0 && state_->staged_bytes() >= limit);
  }
  /// `send` under the lock. Kept out of line so that `send`'s biased path stays small enough
  /// to inline into the caller's loop.
#if defined(__GNUC__)
  [[gnu::noinline]]
#endif
  void send_locked(T record) {
    auto lock = state_->lock();
    state_->check_can_send("send");
    stage(std::move(record));
    if (staging_full())
      state_->flush(lock, true);
    else
      state_->offer_bias(lock);
  }
  /// The lock-free path of `send` for the input's bias owner (input_state.hpp, "Biased
  /// sending"): appends to the staging batch when that leaves it short of full and records are
  /// not measured in bytes. Returns false, with `record` untouched, when `send` must take the
  /// lock. If the move throws, `push_back`'s strong guarantee leaves the batch as it was.
  bool append_biased(T& record) {
    detail::input_state& s = *state_;
    if (!s.enter_biased()) return false;
    struct leave {
      detail::input_state& s;
      ~leave() { s.leave_biased(); }
    } guard{s};
    detail::batch_base* b = s.staging();
    if (b == nullptr || s.batch_bytes() != 0 || s.cancelled.load(std::memory_order_acquire)) return false;
    auto& records = static_cast<detail::batch<T>*>(b)->records;
    if (records.size() + 1 >= s.batch_size()) return false;
    records.push_back(std::move(record));
    return true;
  }
  void stage(T record) {
    auto*& staging = state_->staging();
    if (staging == nullptr) staging = detail::acquire_batch<T>(state_->pool(), state_->time(), state_->batch_size());
    auto& records = static_cast<detail::batch<T>*>(staging)->records;
    records.push_back(std::move(record));
    if (state_->batch_bytes() != 0) state_->staged_bytes() += record_size<T>::bytes(records.back());
  }

  std::shared_ptr<detail::input_state> state_;
  std::shared_ptr<void> closer_;  // the last copy closes the input
};

}  // namespace streamweave

// The writer's definition, so that `writer()` is usable wherever input handles are.
#include <streamweave/graph/input_writer.hpp>  // IWYU pragma: export
