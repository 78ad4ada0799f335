#pragma once
/// \file
/// A process-wide memory barrier for asymmetric synchronisation (the biased path of input
/// handles, detail/input_state.hpp): the rare side calls `process_barrier()`, which runs a full
/// memory barrier on every CPU that runs a thread of this process, so the frequent side needs
/// only a compiler fence. Linux `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`.
///
/// Thread safety: both functions may be called from any thread.
namespace streamweave::internal {

/// True when `process_barrier` works here (registered once, on first use). When false, callers
/// must not rely on it (input handles then never grant a bias).
bool process_barrier_available() noexcept;

/// Runs the barrier. Requires `process_barrier_available()`.
void process_barrier() noexcept;

}  // namespace streamweave::internal
