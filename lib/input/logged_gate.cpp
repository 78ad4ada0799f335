#include "input/logged_gate.hpp"

#include "scheduler/deterministic_scheduler.hpp"

namespace streamweave::internal {

namespace {

class logged_gate final : public input_gate {
 public:
  logged_gate(input_binding& binding, deterministic_scheduler& scheduler) : b_(binding), scheduler_(scheduler) {}

  void deliver(detail::batch_base* batch) override { scheduler_.append_batch(b_, batch); }
  void advance(timestamp from, timestamp to) override { scheduler_.append_advance(b_, from, to); }
  void close(timestamp at) override { scheduler_.append_close(b_, at); }
  /// The log's room: full only while the scheduler is certain to consume this input next.
  bool has_room() override { return scheduler_.has_room(b_); }

 private:
  input_binding& b_;
  deterministic_scheduler& scheduler_;
};

}  // namespace

std::unique_ptr<input_gate> make_logged_gate(input_binding& binding, deterministic_scheduler& scheduler) {
  return std::make_unique<logged_gate>(binding, scheduler);
}

}  // namespace streamweave::internal
