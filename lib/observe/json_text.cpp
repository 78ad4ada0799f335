// to_json: metrics_snapshot -> one JSON object (field names as in observe/metrics.hpp).
#include <streamweave/observe/exporters.hpp>

#include "observe/json_writer.hpp"

#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>

namespace streamweave {

namespace {

using internal::json_writer;

std::uint64_t ns(std::chrono::nanoseconds d) { return d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count()); }

}  // namespace

std::string to_json(const metrics_snapshot& s) {
  std::string out;
  json_writer w(out);
  w.begin_object();
  w.field("graph", s.graph);
  w.field("enabled", s.enabled);
  w.field("uptime_ns", ns(s.uptime));
  w.key("instances");
  w.begin_array();
  for (const auto& m : s.instances) {
    w.begin_object();
    w.field("node", m.node);
    w.field("instance", std::uint64_t{m.instance});
    w.field("unit", m.unit);
    w.field("fused", m.fused);
    w.field("records_in", m.records_in);
    w.field("batches_in", m.batches_in);
    w.field("records_out", m.records_out);
    w.field("batches_out", m.batches_out);
    w.field("activations", m.activations);
    w.field("busy_ns", ns(m.busy));
    w.field("backpressured_ns", ns(m.backpressured));
    w.field("idle_ns", ns(m.idle));
    w.key("inputs");
    w.begin_array();
    for (const auto& p : m.inputs) {
      w.begin_object();
      w.field("port", std::uint64_t{p.port});
      w.key("frontier");
      if (p.frontier == std::numeric_limits<timestamp>::max()) w.null();  // the empty frontier
      else w.value(std::uint64_t{p.frontier});
      w.field("queued", p.queued);
      w.field("depth", std::uint64_t{p.depth});
      w.field("max_depth", std::uint64_t{p.max_depth});
      w.field("capacity", std::uint64_t{p.capacity});
      w.end_object();
    }
    w.end_array();
    w.key("outputs");
    w.begin_array();
    for (const auto& p : m.outputs) {
      w.begin_object();
      w.field("port", std::uint64_t{p.port});
      w.field("capabilities", p.capabilities);
      w.field("times", std::uint64_t{p.times});
      w.key("earliest");
      if (p.earliest == std::numeric_limits<timestamp>::max()) w.null();  // none held
      else w.value(std::uint64_t{p.earliest});
      w.key("held");
      w.begin_array();
      for (const auto& h : p.held) {
        w.begin_object();
        w.field("time", std::uint64_t{h.time});
        w.field("count", h.count);
        w.end_object();
      }
      w.end_array();
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("inputs");
  w.begin_array();
  for (const auto& in : s.inputs) {
    w.begin_object();
    w.field("node", in.node);
    w.field("time", std::uint64_t{in.time});
    w.field("closed", in.closed);
    w.field("records_sent", in.records_sent);
    w.field("batches_sent", in.batches_sent);
    w.field("blocked_ns", ns(in.blocked));
    w.end_object();
  }
  w.end_array();
  w.key("probes");
  w.begin_array();
  for (const auto& p : s.probes) {
    const latency_histogram& h = p.epoch_latency;
    w.begin_object();
    w.field("node", p.node);
    w.field("port", std::uint64_t{p.port});
    w.field("probe", std::uint64_t{p.probe});
    w.key("frontier");
    if (p.frontier == std::numeric_limits<timestamp>::max()) w.null();
    else w.value(std::uint64_t{p.frontier});
    w.key("epoch_latency");
    w.begin_object();
    w.field("count", h.count());
    w.field("sum_ns", h.sum_ns());
    w.field("min_ns", h.min_ns());
    w.field("max_ns", h.max_ns());
    for (const auto& [name, q] : {std::pair{"p50_ns", 0.5}, {"p90_ns", 0.9}, {"p99_ns", 0.99}, {"p999_ns", 0.999}}) {
      w.key(name);
      w.value(h.quantile_ns(q));
    }
    w.key("buckets");  // [inclusive upper bound in ns, count], the non-empty buckets only
    w.begin_array();
    for (std::size_t i = 0; i < latency_histogram::bucket_count(); ++i)
      if (const std::uint64_t n = h.bucket_value(i); n != 0) {
        w.begin_array();
        w.value(latency_histogram::bucket_upper_bound_ns(i));
        w.value(n);
        w.end_array();
      }
    w.end_array();
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

}  // namespace streamweave
