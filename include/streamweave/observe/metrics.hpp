#pragma once
/// \file
/// `metrics_snapshot`: what `execution::metrics()` returns, a copy of a running (or finished)
/// graph's activity counters. docs/observability.md lists every field with its unit, and the
/// exporters (observe/exporters.hpp) turn a snapshot into Prometheus text or JSON.
///
/// A snapshot is a plain value: take it on any thread, keep it, export it later. Each counter
/// in it is exact and never decreases from one snapshot to the next, but the counters are read
/// one after another while the graph runs, so two of them need not be from the same instant
/// (a batch may be counted out of its producer and not yet into its consumer).
#include <streamweave/observe/latency_histogram.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace streamweave {

/// One input port of an operator instance.
struct input_port_metrics {
  std::size_t port = 0;
  /// The port's input frontier: every time below it is complete at this port. 2^64 - 1 (the
  /// empty frontier, one above `max_timestamp`) once nothing more can arrive.
  timestamp frontier = 0;
  /// False for a fused input: the producer calls the operator directly, with no queue between
  /// them, and the queue fields below are 0.
  bool queued = false;
  std::size_t depth = 0;      // batches queued now
  std::size_t max_depth = 0;  // most batches queued at once since the run started
  std::size_t capacity = 0;   // batches the queue holds
};

/// Capabilities held at one time (`capability`, progress/capability.hpp).
struct held_capability {
  timestamp time = 0;
  /// Capabilities at this time: a capability and each of its copies count once each.
  std::int64_t count = 0;
};

/// One output port of an operator instance: the capabilities the instance holds for it, which
/// keep every frontier downstream of the port at or below their times. An instance that holds
/// a capability no input explains (a leaked one, or a window or timer waiting for its time) is
/// what a stalled probe points back to. Counted as of the instance's last finished activation:
/// what an activation retains or drops shows once it ends, when the progress tracker sees it.
struct output_port_metrics {
  /// The most times `held` lists: the earliest ones.
  static constexpr std::size_t held_limit = 16;

  std::size_t port = 0;
  std::int64_t capabilities = 0;  // held now, over every time
  std::size_t times = 0;          // distinct times among them
  /// The earliest time held; 2^64 - 1 (the empty frontier) when none is.
  timestamp earliest = ~timestamp{0};
  /// The `held_limit` earliest times held, in time order, with their counts.
  std::vector<held_capability> held;
};

/// One parallel instance of one node.
struct instance_metrics {
  std::string node;
  std::size_t instance = 0;
  /// The node whose instance heads the scheduling unit this instance runs in: its own name,
  /// or, for an operator fused into its producer (docs/architecture.md, "Fusion"), the head of
  /// the chain. Activations and the three times are the unit's and are reported on its head
  /// only: for a fused instance they are 0.
  std::string unit;
  bool fused = false;
  std::uint64_t records_in = 0;   // records of the batches the instance received
  std::uint64_t batches_in = 0;
  std::uint64_t records_out = 0;  // records of the batches it emitted (on all output ports)
  std::uint64_t batches_out = 0;
  std::uint64_t activations = 0;  // times a thread ran the unit
  /// Running activations of the unit.
  std::chrono::nanoseconds busy{0};
  /// Not running, with output waiting for room in a full queue (back-pressure from
  /// downstream): from the end of an activation that left output waiting to the start of the
  /// next activation.
  std::chrono::nanoseconds backpressured{0};
  /// The rest of the run's wall time so far: waiting for input, or queued for a thread.
  /// busy + backpressured + idle = `metrics_snapshot::uptime`.
  std::chrono::nanoseconds idle{0};
  std::vector<input_port_metrics> inputs;
  /// One per output port. Empty when the run has `runtime_options::metrics = false`.
  std::vector<output_port_metrics> outputs;
};

/// One input handle of the graph.
struct input_metrics {
  std::string node;
  /// The handle's time (`input_handle::time()`): what it sends now is at this time.
  timestamp time = 0;
  bool closed = false;
  std::uint64_t records_sent = 0;  // records handed to the dataflow (staged records not yet)
  std::uint64_t batches_sent = 0;
  /// Time senders spent waiting for queue space, summed over the threads that waited.
  std::chrono::nanoseconds blocked{0};
};

/// One probe (`stream::probe()`), in the order the graph made them.
struct probe_metrics {
  std::string node;  // the node whose output stream the probe watches
  std::size_t port = 0;
  std::size_t probe = 0;  // its position among the graph's probes
  /// The probe's frontier (`probe::frontier()`); 2^64 - 1 once the stream is done.
  timestamp frontier = 0;
  /// Epoch completion latency: for each rise of the smallest time of the graph's input
  /// handles (an `advance_to` or `close` that closed the times below the new smallest time),
  /// the wall time from that call to the moment this probe's frontier passed those times
  /// (docs/observability.md, "Epoch latency"). Empty for a graph without input handles.
  latency_histogram epoch_latency;
};

struct metrics_snapshot {
  std::string graph;
  /// False when the run was started with `runtime_options::metrics = false`: the counters and
  /// times are then all 0; frontiers, queue depths and input times are still reported.
  bool enabled = true;
  /// Wall time from the start of the run to this snapshot.
  std::chrono::nanoseconds uptime{0};
  std::vector<instance_metrics> instances;  // in node order, then instance order
  std::vector<input_metrics> inputs;        // in node order
  std::vector<probe_metrics> probes;
};

}  // namespace streamweave
