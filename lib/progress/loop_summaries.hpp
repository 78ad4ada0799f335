#pragma once
/// \file
/// The path summaries the runtime's tracker uses for a node: the identity for ordinary nodes,
/// and the time change of a loop boundary node (enter, leave, feedback; see scoped_time.hpp).
/// With scoped_time.hpp, this is the runtime's whole loop time model as the tracker sees it.
#include <streamweave/detail/node.hpp>

#include "progress/scoped_time.hpp"

#include <vector>

namespace streamweave::internal {

/// `result[input][output]` is the antichain of summaries from that input to that output; an
/// empty result means the identity for every (input, output) pair.
std::vector<std::vector<std::vector<scoped_summary>>> summaries_of(const detail::node_spec& spec);

}  // namespace streamweave::internal
