// The direct input gate: an input's batches go into the edge queues, and its pointstamp
// changes to the progress hub, on the sender's thread (see input_gate.hpp).
#include "input/input_gate.hpp"

#include "runtime/execution_state.hpp"

#include <streamweave/error.hpp>

namespace streamweave::internal {

namespace {

class direct_gate final : public input_gate {
 public:
  explicit direct_gate(input_binding& binding) : b_(binding) {}

  void deliver(detail::batch_base* batch) override {
    try {
      internal::deliver(*b_.output, batch, b_.exec->config().batch_size, {b_.progress, b_.pending}, nullptr);
    } catch (const std::exception& e) {
      // User code ran on this thread: an exchange's key function right after the input. Like
      // any operator failure it stops the run; the sender learns that the run stopped.
      b_.exec->fail(b_.state->name(), std::current_exception());
      throw cancelled_error("input '" + b_.state->name() + "': the exchange key function threw (" + e.what() +
                            "); the run is stopped");
    } catch (...) {
      b_.exec->fail(b_.state->name(), std::current_exception());
      throw cancelled_error("input '" + b_.state->name() + "': the exchange key function threw; the run is stopped");
    }
    // Bound the progress buffer; publishing is otherwise left to advance/close (the input's
    // capability holds every frontier downstream meanwhile). Increments only, so early is safe.
    if (b_.progress.updates().size() > 64) publish();
  }

  void advance(timestamp from, timestamp to) override {
    // The +1s of the batches handed over are in the buffer before the capability's -1 (rule
    // I4); batches still pending are counted in flight already.
    b_.progress.post(b_.location, to, +1);
    b_.progress.post(b_.location, from, -1);
    publish();
  }

  void close(timestamp at) override {
    b_.progress.post(b_.location, at, -1);
    publish();
  }

  bool has_room() override { return flush_pending(b_.pending, &b_); }

 private:
  void publish() {
    b_.exec->publish(b_.slot, b_.progress);
    b_.exec->run_tracker();
  }

  input_binding& b_;
};

}  // namespace

std::unique_ptr<input_gate> make_direct_gate(input_binding& binding) { return std::make_unique<direct_gate>(binding); }

}  // namespace streamweave::internal
