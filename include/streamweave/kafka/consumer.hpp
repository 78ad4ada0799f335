#pragma once
/// \file
/// `kafka::consumer`: one member of a Kafka consumer group, as the Kafka source uses it
/// (kafka/source.hpp). Public so that the source's template can call it; most users create a
/// `kafka::source` instead.
///
/// Offsets are never committed automatically (`enable.auto.commit=false`): the caller commits
/// what it knows is complete. Partitions come and go by the group's rebalances, which the
/// `listener` hears about inside `poll`, before the assignment changes.
///
/// Thread safety: one thread at a time; the listener is called on the thread calling `poll`.
#include <streamweave/kafka/client.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streamweave::kafka {

/// One consumed message, valid until the next `poll` or `close`.
struct consumed {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  /// The message timestamp in milliseconds since the Unix epoch (-1 when it has none).
  std::int64_t timestamp_ms = -1;
  std::optional<std::string_view> key;
  std::string_view value;
};

/// A partition and the offset of the next message to read from it: what a commit stores.
struct partition_offset {
  std::int32_t partition = 0;
  std::int64_t next_offset = 0;
  friend bool operator==(const partition_offset&, const partition_offset&) = default;
};

class consumer {
 public:
  /// Told about rebalances, inside `poll`.
  class listener {
   public:
    virtual ~listener() = default;
    /// These partitions are now this member's; reading resumes at their committed offsets
    /// (or per `auto.offset.reset`, `earliest` unless the properties say otherwise).
    virtual void assigned(std::span<const std::int32_t> partitions) = 0;
    /// These partitions are about to go to another member: commit now what is complete.
    virtual void revoking(std::span<const std::int32_t> partitions) = 0;
    /// The group coordinator stored these offsets: inside `commit` for a synchronous commit,
    /// inside a later `poll` (or `close`) for an asynchronous one. Partitions whose commit
    /// failed are not listed.
    virtual void committed(std::span<const partition_offset> offsets) { (void)offsets; }
  };

  /// Joins `group_id` and subscribes to `topic`. Throws `usage_error` naming `operator_name`
  /// for a bad property or an empty group id.
  consumer(std::string operator_name, std::string topic, std::string group_id, const client_properties& properties,
           listener& events);
  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;
  /// Leaves the group if `close` was not called.
  ~consumer();

  /// The topic's partition count, from the cluster's metadata. Throws `kafka_error` when the
  /// topic is unknown or the cluster does not answer within `timeout`.
  std::size_t partition_count(std::chrono::milliseconds timeout);

  /// The next message, or nullptr when none came within `timeout`. Throws `kafka_error` on a
  /// fatal client error; other errors are the client's to retry. An exception the listener
  /// threw during the call comes out here, after the rebalance step completed.
  const consumed* poll(std::chrono::milliseconds timeout);

  /// Stops (resumes) fetching from every assigned partition, and from any assigned later while
  /// paused. Messages already fetched may still be returned by `poll`.
  void pause();
  void resume();
  bool paused() const noexcept;

  /// Commits `offsets` (asynchronously unless `wait`); the listener hears what the coordinator
  /// stored. A commit refused because the group is rebalancing is dropped: the next owner
  /// re-reads from the last stored offset (at-least-once). Throws `kafka_error` for any other
  /// failure of a synchronous commit.
  void commit(std::span<const partition_offset> offsets, bool wait);

  /// The group's committed offsets for `partitions` (-1001, librdkafka's "invalid", for none).
  std::vector<partition_offset> committed(std::span<const std::int32_t> partitions, std::chrono::milliseconds timeout);

  /// Leaves the group (the listener hears `revoking` first; what it throws comes out here,
  /// after the group was left). Idempotent.
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace streamweave::kafka
