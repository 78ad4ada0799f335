// execution_state::write_trace: the activation spans of every unit and the probes' frontier
// changes as Chrome trace-event JSON (the "JSON Object Format": a `traceEvents` array), which
// Perfetto and chrome://tracing load. Times are microseconds from the start of the run.
#include "observe/json_writer.hpp"
#include "runtime/execution_state.hpp"

#include <streamweave/error.hpp>

#include <fstream>
#include <limits>
#include <set>
#include <stdexcept>

namespace streamweave::internal {

namespace {

constexpr std::uint32_t progress_lane = 0;  // the probes' instant events

void metadata(json_writer& w, const char* name, std::uint32_t tid, const std::string& value) {
  w.begin_object();
  w.field("name", name);
  w.field("ph", "M");
  w.field("pid", std::uint64_t{1});
  w.field("tid", std::uint64_t{tid});
  w.key("args");
  w.begin_object();
  w.field("name", value);
  w.end_object();
  w.end_object();
}

}  // namespace

void execution_state::write_trace(const std::string& path) const {
  if (config_.trace_capacity == 0)
    throw usage_error("execution::write_trace('" + path + "'): graph '" + graph_->name +
                      "' runs without tracing (set runtime_options::trace_capacity)");
  auto micros = [&](std::int64_t at_ns) { return static_cast<double>(at_ns - started_ns_) / 1e3; };
  std::string out;
  json_writer w(out);
  w.begin_object();
  w.field("displayTimeUnit", "ns");
  w.key("traceEvents");
  w.begin_array();
  metadata(w, "process_name", progress_lane, "streamweave graph " + graph_->name);
  metadata(w, "thread_name", progress_lane, "probe frontiers");
  std::set<std::uint32_t> threads;
  std::uint64_t overwritten_spans = 0;
  for (const auto& u : wired_.units) {
    std::uint64_t overwritten = 0;
    const std::vector<activation_span> spans = u->trace->copy(overwritten);
    overwritten_spans += overwritten;
    const std::string name = u->head->spec->name + " #" + std::to_string(u->head->index);
    for (const activation_span& s : spans) {
      threads.insert(s.thread);
      w.begin_object();
      w.field("name", name);
      w.field("cat", "activation");
      w.field("ph", "X");
      w.field("ts", micros(s.start_ns));
      w.field("dur", static_cast<double>(s.duration_ns) / 1e3);
      w.field("pid", std::uint64_t{1});
      w.field("tid", std::uint64_t{s.thread});
      w.key("args");
      w.begin_object();
      w.field("node", u->head->spec->name);
      w.field("instance", std::uint64_t{u->head->index});
      w.field("fused_operators", std::uint64_t{u->members.size() - 1});
      w.field("batches", s.batches);
      w.field("records", s.records);
      w.end_object();
      w.end_object();
    }
  }
  for (std::uint32_t t : threads) metadata(w, "thread_name", t, "worker " + std::to_string(t));
  std::uint64_t overwritten_events = 0;
  for (const frontier_event& e : probe_trace_->copy(overwritten_events)) {
    const detail::probe_spec& probe = graph_->probes[e.probe];
    w.begin_object();
    w.field("name", "frontier " + graph_->nodes[probe.node].name);
    w.field("cat", "progress");
    w.field("ph", "i");
    w.field("s", "p");
    w.field("ts", micros(e.at_ns));
    w.field("pid", std::uint64_t{1});
    w.field("tid", std::uint64_t{progress_lane});
    w.key("args");
    w.begin_object();
    w.field("probe", std::uint64_t{e.probe});
    w.key("frontier");
    if (e.frontier == std::numeric_limits<timestamp>::max()) w.value("done");
    else w.value(std::uint64_t{e.frontier});
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.key("otherData");
  w.begin_object();
  w.field("graph", graph_->name);
  w.field("trace_capacity", std::uint64_t{config_.trace_capacity});
  w.field("overwritten_spans", overwritten_spans);
  w.field("overwritten_frontier_events", overwritten_events);
  w.end_object();
  w.end_object();

  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("execution::write_trace: cannot open '" + path + "' for writing");
  file << out << '\n';
  file.flush();
  if (!file) throw std::runtime_error("execution::write_trace: writing '" + path + "' failed");
}

}  // namespace streamweave::internal
