#pragma once
/// \file
/// The engine bridge as a whole, for the public headers that need all of it: operator bodies
/// and activations (detail/activation.hpp), exchange partitions (detail/partition.hpp) and the
/// graph description (detail/graph_state.hpp). Users never include this directly.
#include <streamweave/detail/activation.hpp>
#include <streamweave/detail/graph_state.hpp>
#include <streamweave/detail/partition.hpp>
