#pragma once
/// \file
/// What the Kafka component's sources and sinks share: client properties, the message and
/// delivery types, and `kafka_error`. Part of `streamweave::kafka` (link that target; CMake:
/// `find_package(streamweave COMPONENTS kafka)`), which is built only when StreamWeave was
/// configured with librdkafka (`STREAMWEAVE_WITH_KAFKA`). No header of the component includes
/// librdkafka's.
///
/// Scope: a Kafka source or sink connects one StreamWeave process to a Kafka cluster. Scaling
/// out means several processes, each a member of one consumer group (docs/scaling.md); there
/// is no coordination between StreamWeave processes beyond what Kafka does.
#include <streamweave/error.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace streamweave::kafka {

/// librdkafka configuration properties (its CONFIGURATION.md), applied in order, for example
/// `{{"bootstrap.servers", "broker:9092"}, {"linger.ms", "5"}}`. An unknown property or a bad
/// value stops the run when it starts (each instance creates its client then): `wait()`, or
/// `runtime::run` itself, throws `operator_error` naming the operator, with a `usage_error`
/// nested that names the operator, the property and librdkafka's reason.
using client_properties = std::vector<std::pair<std::string, std::string>>;

/// Any partition: the producer's partitioner picks one from the key (`partitioner`
/// property; librdkafka's default hashes the key, and spreads keyless messages).
inline constexpr std::int32_t any_partition = -1;

/// One message to produce.
struct message {
  /// No key is not the same as an empty key: Kafka keeps the difference.
  std::optional<std::string> key;
  std::string value;
  std::int32_t partition = any_partition;
  /// Milliseconds since the Unix epoch; 0 lets the producer stamp the send time.
  std::int64_t timestamp_ms = 0;
};

/// A message the cluster acknowledged: where it was written.
struct delivery {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  friend bool operator==(const delivery&, const delivery&) = default;
};

/// A Kafka operation failed for good: a message the producer gave up on (after its own
/// retries, within `delivery.timeout.ms`), a non-retriable produce error, or a fatal client
/// error. The message names the operator, the topic and librdkafka's error.
class kafka_error : public streamweave::error {
 public:
  using streamweave::error::error;
};

}  // namespace streamweave::kafka
