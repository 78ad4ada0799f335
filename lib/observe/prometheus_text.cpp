// to_prometheus_text: metrics_snapshot -> Prometheus text exposition format 0.0.4.
#include <streamweave/observe/exporters.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <utility>

namespace streamweave {

namespace {

/// A label value, escaped as the format requires: backslash, double quote and line feed.
void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

/// Seconds from nanoseconds, exact to the nanosecond ("12.000000345").
void append_seconds(std::string& out, std::chrono::nanoseconds d) {
  const std::uint64_t n = d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count());
  append_uint(out, n / 1'000'000'000);
  out += '.';
  const std::string frac = std::to_string(n % 1'000'000'000);
  out.append(9 - frac.size(), '0');
  out += frac;
}

/// The labels of one sample: `{graph="g",node="n",instance="0",port="1"}`; empty parts left out.
struct labels {
  labels(std::string_view g, std::string_view n = {}, const std::size_t* i = nullptr, const std::size_t* p = nullptr,
         const std::size_t* pr = nullptr)
      : graph(g), node(n), instance(i), port(p), probe(pr) {}
  std::string_view graph;
  std::string_view node;
  const std::size_t* instance = nullptr;
  const std::size_t* port = nullptr;
  const std::size_t* probe = nullptr;
  const char* quantile = nullptr;
};

void append_label(std::string& out, std::string_view name, std::string_view value) {
  out += ',';
  out += name;
  out += "=\"";
  append_label_value(out, value);
  out += '"';
}

void append_label(std::string& out, std::string_view name, std::size_t value) {
  append_label(out, name, std::to_string(value));
}

void append_labels(std::string& out, const labels& l) {
  out += "{graph=\"";
  append_label_value(out, l.graph);
  out += '"';
  if (!l.node.empty()) append_label(out, "node", l.node);
  if (l.instance != nullptr) append_label(out, "instance", *l.instance);
  if (l.port != nullptr) append_label(out, "port", *l.port);
  if (l.probe != nullptr) append_label(out, "probe", *l.probe);
  if (l.quantile != nullptr) append_label(out, "quantile", std::string_view(l.quantile));
  out += '}';
}

/// Writes the samples of one family for one snapshot.
class sample_writer {
 public:
  sample_writer(std::string& out, std::string_view name) : out_(out), name_(name) {}
  void count(const labels& l, std::uint64_t v) {
    begin(l);
    append_uint(out_, v);
    out_ += '\n';
  }
  void signed_count(const labels& l, std::int64_t v) {
    begin(l);
    out_ += std::to_string(v);
    out_ += '\n';
  }
  void seconds(const labels& l, std::chrono::nanoseconds d) {
    begin(l);
    append_seconds(out_, d);
    out_ += '\n';
  }
  /// A summary of `h` (nanoseconds) in seconds: its quantiles, `_sum` and `_count`; NaN
  /// quantiles while it is empty.
  void summary(const labels& l, const latency_histogram& h) {
    static constexpr std::pair<const char*, double> quantiles[] = {{"0.5", 0.5}, {"0.9", 0.9}, {"0.99", 0.99}, {"0.999", 0.999}};
    for (const auto& [text, q] : quantiles) {
      labels with_q = l;
      with_q.quantile = text;
      begin(with_q);
      if (h.count() == 0) out_ += "NaN";
      else append_seconds(out_, std::chrono::nanoseconds(static_cast<std::int64_t>(h.quantile_ns(q))));
      out_ += '\n';
    }
    begin(l, "_sum");
    append_seconds(out_, std::chrono::nanoseconds(static_cast<std::int64_t>(std::min<std::uint64_t>(h.sum_ns(), INT64_MAX))));
    out_ += '\n';
    begin(l, "_count");
    append_uint(out_, h.count());
    out_ += '\n';
  }
  void time(const labels& l, timestamp t) {
    begin(l);
    if (t == std::numeric_limits<timestamp>::max()) out_ += "+Inf";  // the empty frontier
    else append_uint(out_, t);
    out_ += '\n';
  }

 private:
  void begin(const labels& l, std::string_view suffix = {}) {
    out_ += name_;
    out_ += suffix;
    append_labels(out_, l);
    out_ += ' ';
  }
  std::string& out_;
  std::string_view name_;
};

struct family {
  const char* name;
  const char* type;
  const char* help;
  std::function<void(sample_writer&, const metrics_snapshot&)> samples;
};

/// Calls `f(labels, instance_metrics)` for every instance that heads its unit (the unit's
/// activations and times are reported there only).
template <class F>
void for_unit_heads(const metrics_snapshot& s, F f) {
  for (const auto& m : s.instances)
    if (!m.fused) f(labels{s.graph, m.node, &m.instance, nullptr}, m);
}

template <class F>
void for_instances(const metrics_snapshot& s, F f) {
  for (const auto& m : s.instances) f(labels{s.graph, m.node, &m.instance, nullptr}, m);
}

template <class F>
void for_queued_ports(const metrics_snapshot& s, F f) {
  for (const auto& m : s.instances)
    for (const auto& p : m.inputs)
      if (p.queued) f(labels{s.graph, m.node, &m.instance, &p.port}, p);
}

const std::vector<family>& families() {
  using W = sample_writer;
  using S = metrics_snapshot;
  static const std::vector<family> all = {
      {"streamweave_uptime_seconds", "gauge", "Wall time from the start of the run to the snapshot.",
       [](W& w, const S& s) { w.seconds(labels{s.graph}, s.uptime); }},
      {"streamweave_records_in_total", "counter", "Records of the batches an operator instance received.",
       [](W& w, const S& s) { for_instances(s, [&](const labels& l, const auto& m) { w.count(l, m.records_in); }); }},
      {"streamweave_batches_in_total", "counter", "Batches an operator instance received.",
       [](W& w, const S& s) { for_instances(s, [&](const labels& l, const auto& m) { w.count(l, m.batches_in); }); }},
      {"streamweave_records_out_total", "counter", "Records of the batches an operator instance emitted.",
       [](W& w, const S& s) { for_instances(s, [&](const labels& l, const auto& m) { w.count(l, m.records_out); }); }},
      {"streamweave_batches_out_total", "counter", "Batches an operator instance emitted.",
       [](W& w, const S& s) { for_instances(s, [&](const labels& l, const auto& m) { w.count(l, m.batches_out); }); }},
      {"streamweave_activations_total", "counter",
       "Times a thread ran the scheduling unit this instance heads (with the operators fused into it).",
       [](W& w, const S& s) { for_unit_heads(s, [&](const labels& l, const auto& m) { w.count(l, m.activations); }); }},
      {"streamweave_busy_seconds_total", "counter", "Time the unit this instance heads spent running activations.",
       [](W& w, const S& s) { for_unit_heads(s, [&](const labels& l, const auto& m) { w.seconds(l, m.busy); }); }},
      {"streamweave_backpressured_seconds_total", "counter",
       "Time the unit this instance heads waited, not running, for room in a full downstream queue.",
       [](W& w, const S& s) { for_unit_heads(s, [&](const labels& l, const auto& m) { w.seconds(l, m.backpressured); }); }},
      {"streamweave_idle_seconds_total", "counter",
       "Time the unit this instance heads was neither busy nor back-pressured (waiting for input or a thread).",
       [](W& w, const S& s) { for_unit_heads(s, [&](const labels& l, const auto& m) { w.seconds(l, m.idle); }); }},
      {"streamweave_input_frontier", "gauge",
       "Input frontier of an operator instance's port: every earlier time is complete there (+Inf: nothing more can "
       "arrive).",
       [](W& w, const S& s) {
         for (const auto& m : s.instances)
           for (const auto& p : m.inputs) w.time(labels{s.graph, m.node, &m.instance, &p.port}, p.frontier);
       }},
      {"streamweave_capabilities_held", "gauge",
       "Capabilities an operator instance holds for an output port (each copy counts once), as of its last activation.",
       [](W& w, const S& s) {
         for (const auto& m : s.instances)
           for (const auto& p : m.outputs) w.signed_count(labels{s.graph, m.node, &m.instance, &p.port}, p.capabilities);
       }},
      {"streamweave_capability_earliest_time", "gauge",
       "Earliest time of a capability an operator instance holds for an output port: no frontier downstream passes it "
       "(+Inf: none held).",
       [](W& w, const S& s) {
         for (const auto& m : s.instances)
           for (const auto& p : m.outputs) w.time(labels{s.graph, m.node, &m.instance, &p.port}, p.earliest);
       }},
      {"streamweave_queue_depth", "gauge", "Batches queued now at an operator instance's input port.",
       [](W& w, const S& s) { for_queued_ports(s, [&](const labels& l, const auto& p) { w.count(l, p.depth); }); }},
      {"streamweave_queue_max_depth", "gauge", "Most batches queued at once at an input port since the run started.",
       [](W& w, const S& s) { for_queued_ports(s, [&](const labels& l, const auto& p) { w.count(l, p.max_depth); }); }},
      {"streamweave_queue_capacity", "gauge", "Batches an input port's queue holds.",
       [](W& w, const S& s) { for_queued_ports(s, [&](const labels& l, const auto& p) { w.count(l, p.capacity); }); }},
      {"streamweave_input_records_sent_total", "counter", "Records an input handle handed to the dataflow.",
       [](W& w, const S& s) {
         for (const auto& in : s.inputs) w.count(labels{s.graph, in.node}, in.records_sent);
       }},
      {"streamweave_input_batches_sent_total", "counter", "Batches an input handle handed to the dataflow.",
       [](W& w, const S& s) {
         for (const auto& in : s.inputs) w.count(labels{s.graph, in.node}, in.batches_sent);
       }},
      {"streamweave_input_blocked_seconds_total", "counter",
       "Time senders on an input handle waited for queue space, summed over threads.",
       [](W& w, const S& s) {
         for (const auto& in : s.inputs) w.seconds(labels{s.graph, in.node}, in.blocked);
       }},
      {"streamweave_input_time", "gauge", "An input handle's current time (what it sends now is at this time).",
       [](W& w, const S& s) {
         for (const auto& in : s.inputs) w.time(labels{s.graph, in.node}, in.time);
       }},
      {"streamweave_input_closed", "gauge", "1 once an input handle is closed, else 0.",
       [](W& w, const S& s) {
         for (const auto& in : s.inputs) w.count(labels{s.graph, in.node}, in.closed ? 1 : 0);
       }},
      {"streamweave_probe_frontier", "gauge", "A probe's frontier: every earlier time is complete (+Inf: the stream is done).",
       [](W& w, const S& s) {
         for (const auto& p : s.probes) w.time(labels{s.graph, p.node, nullptr, &p.port, &p.probe}, p.frontier);
       }},
      {"streamweave_epoch_latency_seconds", "summary",
       "Time from the advance_to or close that closed an epoch at the graph's inputs to the probe seeing it complete.",
       [](W& w, const S& s) {
         for (const auto& p : s.probes) w.summary(labels{s.graph, p.node, nullptr, &p.port, &p.probe}, p.epoch_latency);
       }},
  };
  return all;
}

}  // namespace

std::string to_prometheus_text(std::span<const metrics_snapshot> snapshots) {
  std::string out;
  for (const family& f : families()) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    out += f.help;  // no backslash or line feed in our own help texts
    out += "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += f.type;
    out += '\n';
    sample_writer w(out, f.name);
    for (const metrics_snapshot& s : snapshots) f.samples(w, s);
  }
  return out;
}

std::string to_prometheus_text(const metrics_snapshot& snapshot) { return to_prometheus_text(std::span(&snapshot, 1)); }

}  // namespace streamweave
