#pragma once
/// \file
/// `progress::location_id`: the dense index of a location (an operator's input port, a
/// *target*, or output port, a *source*) in a built progress tracker. Its own header so that
/// what only names locations (capabilities, progress buffers) does not include the tracker.
#include <cstdint>

namespace streamweave::progress {

/// Dense index of a location (a node's input or output port) in a built tracker.
using location_id = std::uint32_t;

}  // namespace streamweave::progress
