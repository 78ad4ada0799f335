#pragma once
/// \file
/// Settings of a `runtime`.
#include <cstddef>

namespace streamweave {

struct runtime_options {
  /// Worker threads of the runtime's own oneTBB arena; 0 = the machine's hardware concurrency.
  /// Ignored when the host passes its own arena.
  std::size_t threads = 0;
  /// Records per batch that sources, input handles and operators aim for.
  std::size_t batch_size = 1024;
  /// Batches an edge queue holds at most (per consumer instance and input). A producer facing a
  /// full queue stops and is resumed when space frees; input handles block.
  std::size_t queue_capacity = 64;
  /// Input batches an operator instance processes per activation before it yields its thread.
  std::size_t activation_budget = 16;
  /// Deterministic mode: each run executes on one thread of its own (not on the arena; `threads`
  /// and a host arena are ignored) with a fixed schedule, and input handles' calls are released
  /// to the graph in a canonical order (by time, then input index). The same sequence of
  /// (send/flush, advance_to, close) calls on each input, with the same options, gives the same
  /// output at every sink, in the same order, whatever the timing of the sending threads.
  /// See docs/architecture.md, "Deterministic mode", for the exact guarantee and its costs.
  bool deterministic = false;
};

}  // namespace streamweave
