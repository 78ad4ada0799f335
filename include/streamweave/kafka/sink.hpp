#pragma once
/// \file
/// `kafka::sink(in, name, options, serialize)`: writes every record of `in` to a Kafka topic
/// and returns the stream of the cluster's acknowledgements.
///
///     auto acks = kafka::sink(counts, "to topic counts",
///         {.topic = "counts", .properties = {{"bootstrap.servers", brokers}}},
///         [](const std::pair<std::string, std::size_t>& c) {
///           return kafka::message{.key = c.first, .value = std::to_string(c.second)};
///         });
///     probe durable = acks.probe();   // durable.done(t): every record at t <= ... is in Kafka
///
/// Contract:
///  - The returned stream must be consumed, as every stream (a dangling stream is a
///    `graph_error` when the run starts): attach a probe, or an operator that uses the
///    deliveries.
///  - Each instance of the sink (one per instance of `in`) owns one idempotent producer
///    (kafka/producer.hpp). `serialize(const T&) -> kafka::message` runs on the instance's
///    thread, once per record.
///  - **Durability follows time.** The sink holds a capability at every time it has records
///    of that are not yet acknowledged, and emits one `delivery` per acknowledged record at
///    that record's time. So a probe on the returned stream (or anything downstream of it)
///    passes `t` only once every record of `in` at a time `<= t` is acknowledged by the
///    cluster, with the producer's `acks` setting (the idempotent producer's default is
///    `all`). "The probe says t is complete" then means "t is durable in Kafka".
///  - Back-pressure: when the client's queue is full, the instance keeps the records it could
///    not hand over, in order, and takes no more input until they are accepted; its input
///    queue then fills and slows the operators before it. Nothing is dropped.
///  - With messages in flight, the instance polls for delivery reports every
///    `options.poll_interval` (a processing-time wake-up), input or not.
///  - Failure: a record the producer gives up on (after its retries, within
///    `delivery.timeout.ms`), a non-retriable produce error or a fatal client error throws
///    `kafka_error` from the instance, naming the operator, the topic, the partition and
///    librdkafka's error; the run stops and `wait()` rethrows it (as `operator_error` with the
///    `kafka_error` nested). An exception from `serialize` stops the run the same way.
///  - A run that stops early (an error elsewhere, `cancel()`) purges what the producer still
///    holds: records already acknowledged stay in Kafka; others may or may not have reached it.
///    Delivery is at-least-once per run: a rerun after a failure may write a record again.
///  - Ordering within a partition follows the order of `produce` calls on one instance; two
///    instances writing to one partition interleave.
#include <streamweave/graph/stream.hpp>
#include <streamweave/kafka/client.hpp>
#include <streamweave/kafka/producer.hpp>
#include <streamweave/operators/generic.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamweave::kafka {

struct sink_options {
  std::string topic;
  client_properties properties;
  /// How often an instance with messages in flight serves delivery reports.
  std::chrono::milliseconds poll_interval{1};
};

namespace detail {

/// One sink instance's state: the producer and, per time with records not yet acknowledged,
/// the capability that holds that time. Touched only by the instance's activations.
template <class T, class Serialize>
class sink_instance {
 public:
  sink_instance(const std::string& name, const sink_options& options, Serialize serialize)
      : producer_(std::make_unique<producer>(name, options.topic, options.properties)),
        serialize_(std::move(serialize)),
        poll_interval_(options.poll_interval) {}

  template <class Context>
  void operator()(Context& ctx) {
    auto& in = ctx.template input<0>();
    auto& out = ctx.template output<0>();
    acknowledge(out);
    offer_backlog();
    if (backlog_.empty()) {
      in.for_each([&](streamweave::input_batch<T>& b) {
        pending& p = pending_at(b);
        for (const T& record : b.records()) offer(p, b.time(), serialize_(record));
      });
    }
    acknowledge(out);  // what was sent meanwhile may be acknowledged already
    release(in);
    if (!pending_.empty()) wake_later(ctx);
  }

 private:
  struct pending {
    capability cap;
    std::size_t in_flight = 0;  // handed to the producer, not yet acknowledged
    std::size_t queued = 0;     // in backlog_, waiting for room in the producer's queue
  };
  struct queued_message {
    timestamp time;
    kafka::message msg;
  };

  pending& pending_at(const streamweave::input_batch<T>& b) {
    auto it = pending_.find(b.time());
    if (it == pending_.end()) it = pending_.emplace(b.time(), pending{b.retain(), 0, 0}).first;
    return it->second;
  }

  void offer(pending& p, timestamp t, kafka::message m) {
    if (backlog_.empty() && producer_->produce(m, t) == producer::offer::accepted) {
      ++p.in_flight;
      return;
    }
    backlog_.push_back({t, std::move(m)});
    ++p.queued;
  }

  void offer_backlog() {
    while (!backlog_.empty()) {
      queued_message& q = backlog_.front();
      if (producer_->produce(q.msg, q.time) == producer::offer::queue_full) return;
      pending& p = pending_.at(q.time);
      --p.queued;
      ++p.in_flight;
      backlog_.pop_front();
    }
  }

  template <class Output>
  void acknowledge(Output& out) {
    acks_.clear();
    producer_->poll(acks_);
    for (const producer::ack& a : acks_) {
      pending& p = pending_.at(a.tag);
      out.give(p.cap, a.where);
      --p.in_flight;
    }
  }

  /// Drops the capability of every time whose records are all acknowledged and which the
  /// input has passed (no more records at it can come).
  template <class Input>
  void release(const Input& in) {
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.in_flight == 0 && it->second.queued == 0 && in.passed(it->first))
        it = pending_.erase(it);
      else
        ++it;
    }
  }

  /// One wake-up outstanding at a time: wake_at is not deduplicated.
  template <class Context>
  void wake_later(Context& ctx) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_wake_) return;
    next_wake_ = now + poll_interval_;
    ctx.wake_at(next_wake_);
  }

  std::unique_ptr<producer> producer_;
  Serialize serialize_;
  std::chrono::milliseconds poll_interval_;
  std::map<timestamp, pending> pending_;
  std::deque<queued_message> backlog_;
  std::vector<producer::ack> acks_;
  std::chrono::steady_clock::time_point next_wake_{};
};

}  // namespace detail

/// Writes `in` to `options.topic`; see the file comment. Throws `usage_error` (naming `name`)
/// for an empty topic or a poll interval that is not positive; client properties are checked
/// when the run starts (kafka/client.hpp), since each instance creates its producer then.
template <class T, class Serialize>
[[nodiscard]] stream<delivery> sink(const stream<T>& in, std::string name, sink_options options, Serialize serialize) {
  static_assert(std::is_invocable_r_v<message, Serialize&, const T&>,
                "kafka::sink: serialize must be callable as kafka::message(const T&)");
  if (options.topic.empty()) throw usage_error("kafka sink '" + name + "': the topic is empty");
  if (options.poll_interval.count() <= 0)
    throw usage_error("kafka sink '" + name + "': poll_interval must be positive");
  auto outs = in.template unary_outputs<delivery>(
      name, [options = std::move(options), serialize = std::move(serialize)](operator_setup& setup) {
        setup.drop_initial_capability();
        return detail::sink_instance<T, Serialize>(setup.name(), options, serialize);
      });
  return std::get<0>(std::move(outs));
}

}  // namespace streamweave::kafka
