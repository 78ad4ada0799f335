#pragma once
/// \file
/// Event time at a generator source: `add_event_time_source(graph, name, instances,
/// make_generator, event_time, max_disorder)` is `graph::partitioned_source` with a
/// bounded-out-of-orderness watermark instead of time 0.
///
/// Each instance (e.g. one per partition of an external source) keeps its own watermark,
/// `max event time generated so far - max_disorder` (0 before the first record), holds its
/// capability there, and stamps every record with the watermark current right after its own
/// event time was accounted for. So a record within the disorder bound has batch time <= its
/// event time (never late for a window containing it, at any allowed lateness); a record more
/// than `max_disorder` behind gets a later batch time and may be late. When the generator is
/// exhausted the instance drops its capability. Batch boundaries depend only on the generated
/// sequence and `batch_size`, so the stamping is deterministic. A batch also ends when the
/// watermark moves, and each batch takes one unit of the activation budget, so an instance
/// stops generating while its consumers are back-pressured. Watermarks are clamped to
/// `max_timestamp`.
///
/// That is the default, `source_watermark::per_record`. At high rates it makes small batches:
/// at 10 M events/s of millisecond event times the watermark moves every 10 records. With
/// `source_watermark::per_batch` (`event_time_source_options`) the watermark moves only
/// between batches: each batch is stamped with the watermark current when it starts and fills
/// up to the batch size. Still no record is late (every record's event time is at least the
/// watermark before it, which is at most its batch time, so the batch time <= its event time
/// within the disorder bound); downstream completes times up to one batch later.
///
/// A generator source has no idleness: it ends by returning nullopt. For partitions that may
/// go quiet, feed an `event_time_input` (window/event_time.hpp), whose idleness policy lets an
/// idle partition follow the others.
///
/// Thread safety: as every source, each instance's generator runs in one activation at a time.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/graph/graph.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamweave {

namespace detail {

template <class T, class G, class EventTime>
class event_time_source_body final : public node_body {
 public:
  event_time_source_body(G generator, EventTime event_time, timestamp max_disorder, bool per_batch, capability cap)
      : generator_(std::move(generator)),
        event_time_(std::move(event_time)),
        max_disorder_(max_disorder),
        per_batch_(per_batch),
        cap_(std::move(cap)) {}

  bool activate(activation& act) override {
    if (!cap_) return false;  // exhausted
    return per_batch_ ? activate_per_batch(act) : activate_per_record(act);
  }

 private:
  /// The watermark after event time `e`: `e - max_disorder`, clamped to [0, max_timestamp]
  /// (2^64 - 1 is the empty frontier, never a time).
  timestamp watermark_after(timestamp e) const noexcept { return std::min(e > max_disorder_ ? e - max_disorder_ : 0, max_timestamp); }

  /// One batch per unit of budget, ended early when the watermark moves (the record that moved
  /// it waits in `carry_` and opens the next batch), so an activation stops when it is blocked
  /// or out of budget however often the watermark moves.
  bool activate_per_record(activation& act) {
    while (!act.blocked() && act.take_budget()) {
      owned_batch<T> out(act.pool(0), cap_.time(), act.batch_size());
      bool exhausted = false;
      while (out.get().records.size() < act.batch_size()) {
        std::optional<T> r = carry_ ? std::exchange(carry_, std::nullopt) : generator_();
        if (!r) {
          exhausted = true;
          break;
        }
        const timestamp watermark = watermark_after(static_cast<timestamp>(event_time_(*r)));
        if (watermark > cap_.time()) {
          if (!out.get().records.empty()) {
            carry_ = std::move(r);  // what was stamped with the old watermark goes first
            break;
          }
          cap_.downgrade(watermark);
          out.get().time = watermark;
        }
        out.get().records.push_back(std::move(*r));
      }
      if (!out.get().records.empty()) act.emit(0, out.release());
      if (exhausted) {
        cap_.reset();
        return false;
      }
    }
    return !act.blocked();
  }

  /// One full batch per unit of budget at the watermark current when it starts; the watermark
  /// the batch's records imply is applied after it is emitted.
  bool activate_per_batch(activation& act) {
    while (!act.blocked() && act.take_budget()) {
      owned_batch<T> out(act.pool(0), cap_.time(), act.batch_size());
      auto& records = out.get().records;
      timestamp next = cap_.time();
      bool exhausted = false;
      while (records.size() < act.batch_size()) {
        std::optional<T> r = generator_();
        if (!r) {
          exhausted = true;
          break;
        }
        next = std::max(next, watermark_after(static_cast<timestamp>(event_time_(*r))));
        records.push_back(std::move(*r));
      }
      if (!records.empty()) act.emit(0, out.release());
      if (exhausted) {
        cap_.reset();
        return false;
      }
      if (next > cap_.time()) cap_.downgrade(next);
    }
    return !act.blocked();
  }

  G generator_;
  EventTime event_time_;
  timestamp max_disorder_;
  bool per_batch_;
  capability cap_;
  std::optional<T> carry_;  // generated, but starts the next batch (the watermark moved)
};

}  // namespace detail

/// When an event-time source's watermark moves (see the file comment).
enum class source_watermark {
  per_record,  ///< right after each record's event time; a batch ends when it moves
  per_batch,   ///< between batches; a batch fills up at the watermark current when it starts
};

struct event_time_source_options {
  /// How far (in event-time units) a record may be behind the latest event time of its
  /// instance and still be on time.
  timestamp max_disorder = 0;
  source_watermark watermark = source_watermark::per_record;
};

/// A source of `instances` generators (`make_generator(index, instances)` returns instance
/// `index`'s `std::optional<T>()` generator, nullopt when exhausted) whose records are stamped
/// with a bounded-out-of-orderness watermark over `event_time(const T&)`; see the file comment.
template <class Make, class EventTime, class G = std::invoke_result_t<Make&, std::size_t, std::size_t>,
          class T = typename std::decay_t<std::invoke_result_t<G&>>::value_type>
stream<T> add_event_time_source(graph& g, std::string name, std::size_t instances, Make make_generator, EventTime event_time,
                                event_time_source_options options) {
  static_assert(std::is_invocable_r_v<timestamp, const EventTime&, const T&>, "event_time(const T&) must return a timestamp");
  auto state = detail::graph_access::state_of(g);
  name = detail::graph_access::name_or_default(*state, name, "event_time_source");
  detail::graph_access::check_parallelism(instances, "event-time source '" + name + "'");
  detail::node_spec spec;
  spec.name = std::move(name);
  spec.kind = detail::node_kind::source;
  spec.outputs = 1;
  spec.parallelism = instances;
  spec.initial_capability = true;
  spec.make_body = [make = std::move(make_generator), event_time = std::move(event_time), options](
                       const detail::instance_info& info, std::vector<capability> caps) -> std::unique_ptr<detail::node_body> {
    return std::make_unique<detail::event_time_source_body<T, G, EventTime>>(
        make(info.index, info.count), event_time, options.max_disorder, options.watermark == source_watermark::per_batch,
        std::move(caps.at(0)));
  };
  const std::size_t id = detail::graph_access::add_node(*state, std::move(spec));
  return detail::graph_access::make_stream<T>(state, id, 0, instances);
}

/// The same with the default per-record watermark and `max_disorder`.
template <class Make, class EventTime>
auto add_event_time_source(graph& g, std::string name, std::size_t instances, Make make_generator, EventTime event_time,
                           timestamp max_disorder) {
  return add_event_time_source(g, std::move(name), instances, std::move(make_generator), std::move(event_time),
                               event_time_source_options{.max_disorder = max_disorder});
}

}  // namespace streamweave
