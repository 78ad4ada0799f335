#pragma once
/// \file
/// Building a librdkafka configuration from `kafka::client_properties`, for producers and
/// (later) consumers alike.
#include <streamweave/kafka/client.hpp>

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>

namespace streamweave::kafka::internal {

struct conf_deleter {
  void operator()(rd_kafka_conf_t* c) const noexcept { rd_kafka_conf_destroy(c); }
};
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;

/// A new configuration with `defaults`, the user's `properties`, then `fixed` applied, in that
/// order (the user's win over the defaults, `fixed` over both). Throws `usage_error` naming
/// `what` (e.g. "kafka sink 'out'") and the property for an unknown property or a bad value.
conf_ptr make_conf(const std::string& what, const client_properties& defaults, const client_properties& properties,
                   const client_properties& fixed = {});

/// librdkafka's text for `err`.
std::string error_text(rd_kafka_resp_err_t err);

}  // namespace streamweave::kafka::internal
