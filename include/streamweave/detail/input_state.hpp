#pragma once
/// \file
/// Shared state behind `input_handle<T>` (all copies of a handle share one). Implemented in
/// lib/runtime/input_state.cpp.
///
/// Thread safety: every member function requires the input's lock (`lock()`) to be held by the
/// caller (the typed handle takes it for each call), except `lock`, the constructor, the
/// destructor and `wake_senders`. A call that waits for queue space releases the lock while it
/// waits, so other threads' calls interleave there; every change of the input's time or state
/// happens under the lock *before* such a wait, which is what makes concurrent calls on copies
/// linearizable (docs/architecture.md, "Input handles and threads").
///
/// Biased sending: the one thread that sends to an input may append records to the staging
/// batch without the mutex (`enter_biased` .. `leave_biased`, used by `input_handle::send`).
/// The bias is granted under the mutex by `offer_bias` to a sending thread, and every other
/// holder of the mutex revokes it (`lock()`) before it touches the staging batch or the state
/// that the biased path reads. Revocation is an asymmetric Dekker handshake: the owner stores
/// `owner_appending_` and re-reads `bias_owner_` with only a compiler fence between them; the
/// revoker clears `bias_owner_`, runs a process-wide memory barrier (Linux `membarrier`), and
/// then waits until `owner_appending_` is false (acquire, pairing with the owner's release).
/// Either the revoker sees the owner appending and waits for it, or the owner sees the bias
/// gone and takes the mutex. Where `membarrier` is unavailable, no bias is granted. Once a
/// second thread sends, biasing stops for the input: every send takes the mutex.
#include <streamweave/detail/batch.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <atomic>
#include <cstdint>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

namespace streamweave::internal {
struct input_binding;
}

namespace streamweave::detail {

class input_state {
 public:
  /// The batch size an input stages with before and after its run (runtime_options' default).
  static constexpr std::size_t unbound_batch_size = 1024;

  explicit input_state(std::string name);
  ~input_state();
  input_state(const input_state&) = delete;
  input_state& operator=(const input_state&) = delete;

  /// Takes the input's lock. The mutex itself stays private: every caller holds it through
  /// this lock, which the waiting calls below release while they wait.
  /// Revokes another thread's bias first (see above), so the holder may touch everything.
  [[nodiscard]] std::unique_lock<std::mutex> lock() {
    std::unique_lock<std::mutex> l(mutex_);
    const std::uint64_t owner = bias_owner_.load(std::memory_order_relaxed);
    if (owner != 0 && owner != this_thread_token()) revoke_bias();
    return l;
  }
  /// Takes the lock without revoking: only for reading what the bias owner changes under the
  /// mutex itself (the time), never the staging batch.
  [[nodiscard]] std::unique_lock<std::mutex> lock_for_reading() const {
    return std::unique_lock<std::mutex>(mutex_);
  }

  /// A number unique to the calling thread for the life of the process (never reused).
  static std::uint64_t this_thread_token() noexcept {
    thread_local std::uint64_t token = 0;  // constant-initialised: no TLS guard on this path
    if (token == 0) [[unlikely]]
      token = next_thread_token();
    return token;
  }
  /// The biased path's entry, lock-free: true when the calling thread holds the bias; it may
  /// then append to the staging batch (nothing else) until `leave_biased`. False: take `lock()`.
  bool enter_biased() noexcept {
    const std::uint64_t me = this_thread_token();
    if (bias_owner_.load(std::memory_order_relaxed) != me) return false;
    owner_appending_.store(true, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);  // the revoker's membarrier supplies the CPU fence
    if (bias_owner_.load(std::memory_order_relaxed) == me) return true;
    owner_appending_.store(false, std::memory_order_release);
    return false;
  }
  /// Ends what `enter_biased` began: publishes the appends to a revoker (release).
  void leave_biased() noexcept { owner_appending_.store(false, std::memory_order_release); }
  /// Under the lock, after a send by the calling thread: grants it the bias when the input may
  /// send, no other thread has sent on it, and the platform has `membarrier`.
  void offer_bias(const std::unique_lock<std::mutex>& lock) noexcept;

  /// Throws `usage_error` after close or before the run, `cancelled_error` after cancellation.
  /// Inline for the per-record path; the errors are built out of line.
  void check_can_send(const char* op) const {
    if (may_send()) [[likely]]
      return;
    refuse(op);
  }
  /// True while the input is bound to a run, open, and the run has not stopped.
  bool may_send() const noexcept {
    return binding_ != nullptr && !closed_ && !cancelled.load(std::memory_order_acquire);
  }
  /// Back-pressure: true while earlier batches still wait for space in a full queue.
  bool backpressured();
  /// The batch being filled (nullptr when none); the typed handle creates it from `pool()`.
  batch_base*& staging() noexcept { return staging_; }
  /// Bytes of the records in the staging batch (`record_size`), kept only while
  /// `batch_bytes()` is non-zero.
  std::size_t& staged_bytes() noexcept { return staged_bytes_; }
  batch_pool& pool() noexcept { return *pool_; }
  timestamp time() const noexcept { return time_; }
  /// The run's `runtime_options::batch_size` (`unbound_batch_size` while unbound).
  std::size_t batch_size() const noexcept { return batch_size_; }
  /// The byte size at which a staged batch is handed over (a quarter of
  /// `runtime_options::queue_bytes`); 0 when records are not measured.
  std::size_t batch_bytes() const noexcept { return batch_bytes_; }
  const std::string& name() const noexcept { return name_; }
  bool closed() const noexcept { return closed_; }

  /// Hands the full batch `b` (one reference, transferred; never the staging batch) to the
  /// dataflow at the input's current time, counted in flight. Never waits: a batch that finds
  /// a full queue waits in the input's pending list (see `wait_for_space`).
  void hand_over(batch_base* b);
  /// Hands over the batch `b` an `input_writer` filled (one reference, transferred, also when
  /// this throws) at the input's current time, then, with `wait`, waits like `wait_for_space`.
  /// When the input may not send (closed, stopped, not running) `b` is released and the error
  /// of `check_can_send(op)` is thrown, counting the records that were lost.
  void hand_over_written(std::unique_lock<std::mutex>& lock, batch_base* b, bool wait, const char* op);
  /// For a writer's destructor: hands `b` over without waiting, or, when the input may not
  /// send, releases it and logs a warning with the count. Never throws.
  void hand_over_written_or_warn(batch_base* b) noexcept;
  /// Hands the staged batch to the dataflow. With `wait`, then blocks like `wait_for_space`.
  /// Without `wait`, returns false when some batch still waits for space.
  bool flush(std::unique_lock<std::mutex>& lock, bool wait);
  /// Blocks, with the mutex released, until every batch of this input is in a queue; throws
  /// `cancelled_error` when the run stops meanwhile.
  void wait_for_space(std::unique_lock<std::mutex>& lock);
  /// Promises no more records before `t`: hands over what is staged (at the old time), moves
  /// the input's capability to `t` and only then, with `wait`, waits for space. Throws
  /// `usage_error` when `t < time()`, when `t > max_timestamp`, or after close. Returns false
  /// (only without `wait`) when some batch still waits for space.
  bool advance_to(std::unique_lock<std::mutex>& lock, timestamp t, bool wait = true);
  /// Hands over what is staged, releases the input's capability, then waits for space.
  /// Idempotent. Never throws: when the run was cancelled, staged records are dropped.
  void close(std::unique_lock<std::mutex>& lock) noexcept;

  // Runtime side (lib only; the lock held, which the parameter witnesses).
  /// Connects the input to a starting run.
  void bind(const std::unique_lock<std::mutex>& lock, internal::input_binding& b) noexcept;
  /// Disconnects the input from its finished run: later calls throw `usage_error`.
  void unbind(const std::unique_lock<std::mutex>& lock) noexcept;
  /// Set when the run stops; read without the mutex by waiters.
  std::atomic<bool> cancelled{false};
  /// Bumped whenever a full queue this input waits on frees space, and on cancel. Waiters use
  /// `atomic::wait` on it with the mutex released; the bump never takes the mutex.
  std::atomic<std::uint64_t> space_generation{0};
  void wake_senders() noexcept;

 private:
  void hand_over_staging();
  static std::uint64_t next_thread_token() noexcept;
  /// Takes the bias from its owner (another thread): returns once the owner cannot append.
  void revoke_bias() noexcept;
  /// Ends any bias, the caller's own included (close, bind, unbind).
  void drop_bias() noexcept;
  /// Throws the error `check_can_send` found, naming `op`, with `detail` appended.
  [[noreturn]] void refuse(const char* op, const std::string& detail = {}) const;

  mutable std::mutex mutex_;
  std::atomic<std::uint64_t> bias_owner_{0};   // thread token, 0 = none; written under mutex_
  std::atomic<bool> owner_appending_{false};   // written by the bias owner only
  std::uint64_t last_sender_ = 0;              // guarded by mutex_: thread of the last slow-path send
  bool bias_disabled_ = false;                 // guarded by mutex_: a second thread has sent
  internal::input_binding* binding_ = nullptr;  // guarded by mutex_
  bool run_over_ = false;                        // guarded by mutex_
  std::size_t batch_size_ = unbound_batch_size;  // guarded by mutex_; from the bound run
  std::size_t batch_bytes_ = 0;                  // guarded by mutex_; from the bound run
  std::string name_;
  std::unique_ptr<batch_pool, void (*)(batch_pool*)> pool_;
  batch_base* staging_ = nullptr;
  std::size_t staged_bytes_ = 0;
  timestamp time_ = 0;
  bool closed_ = false;
};

}  // namespace streamweave::detail
