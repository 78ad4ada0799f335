#pragma once
/// \file
/// `kafka::producer`: one librdkafka producer handle, as the Kafka sink uses it. Public so that
/// the sink's template can call it; most users call `kafka::sink` (kafka/sink.hpp) instead.
///
/// Thread safety: one thread at a time (the sink's instance runs in one activation at a time,
/// possibly on different threads in turn: librdkafka handles allow that). Delivery reports are
/// served only inside `poll`, on the calling thread.
#include <streamweave/kafka/client.hpp>
#include <streamweave/progress/timestamp.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace streamweave::kafka {

/// The idempotent producer is on (`enable.idempotence=true`, set before the user's
/// properties, which may turn it off): librdkafka retries retriable errors without
/// duplicating or reordering messages within a partition.
class producer {
 public:
  /// A delivery report for a message produced with `tag`.
  struct ack {
    timestamp tag = 0;
    kafka::delivery where;
  };
  enum class offer { accepted, queue_full };

  /// Creates the client. Throws `usage_error` naming `operator_name` for a bad property.
  producer(std::string operator_name, std::string topic, const client_properties& properties);
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;
  /// Purges what is still queued or in flight (a run that stops early does not wait for the
  /// cluster) and destroys the client.
  ~producer();

  /// Hands `m` to the client, copying its bytes, with `tag` for its delivery report. Returns
  /// `queue_full` when the client's queue is full (`queue.buffering.max.messages` / `.kbytes`):
  /// poll, then offer it again. Throws `kafka_error` for any other error.
  offer produce(const message& m, timestamp tag);

  /// Serves delivery reports without waiting, appending the successful ones to `out`. Throws
  /// `kafka_error` once a message has failed for good or the client hit a fatal error; the
  /// message names the operator, the topic, the partition and librdkafka's error.
  void poll(std::vector<ack>& out);

  /// Messages handed over whose delivery report `poll` has not served yet.
  std::size_t in_flight() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace streamweave::kafka
