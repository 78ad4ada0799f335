#include "scheduler/tbb_scheduler.hpp"

#include "scheduler/unit.hpp"

namespace streamweave::internal {

namespace {

class tbb_scheduler final : public scheduler {
 public:
  explicit tbb_scheduler(tbb::task_arena& arena) : arena_(arena) {}

  bool submit(unit& u) noexcept override {
    unit* target = &u;
    arena_.enqueue([target] { target->run(); });
    return true;
  }

 private:
  tbb::task_arena& arena_;
};

}  // namespace

scheduler_factory tbb_scheduler_factory(tbb::task_arena& arena) {
  return [&arena](execution_state&) -> std::unique_ptr<scheduler> { return std::make_unique<tbb_scheduler>(arena); };
}

}  // namespace streamweave::internal
