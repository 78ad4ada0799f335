#pragma once
/// \file
/// The logged input gate of a deterministic run: an input's batches, advances and close become
/// events in the input's log at the deterministic scheduler, which releases them into the
/// graph in one canonical order (scheduler/deterministic_scheduler.hpp). Nothing reaches the
/// queues or the tracker on the sender's thread.
#include "input/input_gate.hpp"

#include <memory>

namespace streamweave::internal {

class deterministic_scheduler;

std::unique_ptr<input_gate> make_logged_gate(input_binding& binding, deterministic_scheduler& scheduler);

}  // namespace streamweave::internal
