#pragma once
/// \file
/// Test support: runtime options with small batches and queues, so that a test reaches
/// back-pressure after a handful of records.
#include <streamweave/runtime/runtime_options.hpp>

#include <cstddef>

namespace streamweave::testing {

inline runtime_options small_queues(std::size_t threads, std::size_t batch_size, std::size_t queue_capacity) {
  runtime_options o;
  o.threads = threads;
  o.batch_size = batch_size;
  o.queue_capacity = queue_capacity;
  return o;
}

}  // namespace streamweave::testing
