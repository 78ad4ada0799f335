#include "kafka/client_config.hpp"

#include <array>

namespace streamweave::kafka::internal {

namespace {

void apply(const std::string& what, rd_kafka_conf_t* conf, const client_properties& properties) {
  std::array<char, 512> err{};
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err.data(), err.size()) != RD_KAFKA_CONF_OK)
      throw usage_error(what + ": client property '" + key + "' = '" + value + "': " + err.data());
  }
}

}  // namespace

conf_ptr make_conf(const std::string& what, const client_properties& defaults, const client_properties& properties,
                   const client_properties& fixed) {
  conf_ptr conf(rd_kafka_conf_new());
  apply(what, conf.get(), defaults);
  apply(what, conf.get(), properties);
  apply(what, conf.get(), fixed);
  return conf;
}

std::string error_text(rd_kafka_resp_err_t err) { return rd_kafka_err2str(err); }

}  // namespace streamweave::kafka::internal
