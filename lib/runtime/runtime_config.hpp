#pragma once
/// \file
/// `runtime_config`: the options one run uses, taken from `runtime_options` (already checked
/// against their limits) when `runtime::run` starts it.
#include <chrono>
#include <cstddef>

namespace streamweave::internal {

struct runtime_config {
  std::size_t batch_size = 1024;
  std::size_t queue_capacity = 64;
  std::size_t activation_budget = 16;
  std::size_t queue_bytes = 0;  // byte budget per edge queue; 0: none
  std::chrono::microseconds idle_spin{0};  // how long an idle worker waits for the next unit
  bool metrics = true;  // keep the activity counters (execution::metrics)
  std::size_t trace_capacity = 0;  // spans kept per unit; 0: no tracing
};

}  // namespace streamweave::internal
