// A plain-text table of a metrics snapshot, one line per operator instance: what a host might
// print or log every second (docs/observability.md). Used by demo_pipeline --metrics.
#pragma once
#include <streamweave/streamweave.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

namespace demo {

inline double share(std::chrono::nanoseconds part, std::chrono::nanoseconds whole) {
  return whole.count() > 0 ? 100.0 * static_cast<double>(part.count()) / static_cast<double>(whole.count()) : 0.0;
}

// The capabilities an instance holds over all its outputs, and the earliest time among them:
// "3 @t=41", or "-" when it holds none.
inline std::string held_text(const streamweave::instance_metrics& m) {
  std::int64_t held = 0;
  streamweave::timestamp earliest = ~streamweave::timestamp{0};
  for (const auto& o : m.outputs) {
    held += o.capabilities;
    earliest = std::min(earliest, o.earliest);
  }
  return held == 0 ? std::string("-") : std::to_string(held) + " @t=" + std::to_string(earliest);
}

inline void print_metrics_table(const streamweave::metrics_snapshot& s) {
  std::printf("-- graph '%s' after %.3f s --\n", s.graph.c_str(), std::chrono::duration<double>(s.uptime).count());
  std::printf("  %-22s %14s %14s %7s %7s %7s %9s %14s\n", "instance", "records in", "records out", "busy%", "bp%", "idle%",
              "queued", "caps held");
  for (const auto& m : s.instances) {
    const std::string name = m.node + " #" + std::to_string(m.instance) + (m.fused ? " (fused)" : "");
    std::size_t queued = 0;
    for (const auto& p : m.inputs) queued += p.depth;
    if (m.fused)
      std::printf("  %-22s %14llu %14llu %7s %7s %7s %9zu %14s\n", name.c_str(), static_cast<unsigned long long>(m.records_in),
                  static_cast<unsigned long long>(m.records_out), "-", "-", "-", queued, held_text(m).c_str());
    else
      std::printf("  %-22s %14llu %14llu %7.1f %7.1f %7.1f %9zu %14s\n", name.c_str(),
                  static_cast<unsigned long long>(m.records_in), static_cast<unsigned long long>(m.records_out),
                  share(m.busy, s.uptime), share(m.backpressured, s.uptime), share(m.idle, s.uptime), queued,
                  held_text(m).c_str());
  }
}

}  // namespace demo
