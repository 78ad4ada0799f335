#pragma once
/// \file
/// Exporters of `metrics_snapshot` (observe/metrics.hpp) into the text formats a host serves
/// from its own endpoint. StreamWeave runs no server: call these on a snapshot and write the
/// string out. docs/observability.md names every metric family, with its type and unit.
///
/// Thread safety: pure functions of their arguments.
#include <streamweave/observe/metrics.hpp>

#include <span>
#include <string>

namespace streamweave {

/// The Prometheus text exposition format, version 0.0.4: metric families named
/// `streamweave_*`, each with its `# HELP` and `# TYPE` lines, and labels `graph`, `node` and
/// `instance` (plus `port` for input ports). Times are in seconds; an empty input frontier is
/// `+Inf`. The span form writes several runs' snapshots into one exposition (each family once,
/// as the format requires): give the graphs distinct names.
std::string to_prometheus_text(const metrics_snapshot& snapshot);
std::string to_prometheus_text(std::span<const metrics_snapshot> snapshots);

/// One JSON object with the snapshot's fields, named as in observe/metrics.hpp; times in
/// nanoseconds (`*_ns`), and an empty input frontier as `null`.
std::string to_json(const metrics_snapshot& snapshot);

}  // namespace streamweave
