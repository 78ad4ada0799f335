#include <streamweave/kafka/producer.hpp>

#include "kafka/client_config.hpp"

#include <librdkafka/rdkafka.h>

#include <array>
#include <cstdint>
#include <utility>

namespace streamweave::kafka {

static_assert(sizeof(std::uintptr_t) >= sizeof(timestamp), "a delivery report's opaque pointer carries the tag");

/// Callbacks run inside rd_kafka_poll / rd_kafka_flush, on the thread that calls them (the
/// one owning this producer at the time), so `acks`, `failure` and `in_flight` need no lock.
struct producer::impl {
  std::string what;  // "kafka sink 'name'"
  std::string topic;
  rd_kafka_t* rk = nullptr;
  std::vector<ack>* acks = nullptr;  // where poll() collects, set for its duration
  std::string failure;               // the first error; thrown by poll()
  std::size_t in_flight = 0;
  bool closing = false;  // purged messages report errors that are not failures

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto& self = *static_cast<impl*>(opaque);
    --self.in_flight;
    const auto tag = static_cast<timestamp>(reinterpret_cast<std::uintptr_t>(m->_private));
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (self.acks != nullptr) self.acks->push_back({tag, {m->partition, m->offset}});
      return;
    }
    if (self.closing || !self.failure.empty()) return;
    self.failure = self.what + ": delivery to topic '" + self.topic + "' partition " + std::to_string(m->partition) +
                   " failed: " + internal::error_text(m->err);
  }

  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto& self = *static_cast<impl*>(opaque);
    // Other errors are reports of what the client retries by itself (a broker down, a
    // timed-out request); only a fatal one ends the producer.
    if (err != RD_KAFKA_RESP_ERR__FATAL || self.closing || !self.failure.empty()) return;
    std::array<char, 512> text{};
    const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, text.data(), text.size());
    self.failure = self.what + ": fatal producer error on topic '" + self.topic + "': " + internal::error_text(cause) +
                   " (" + (text[0] != '\0' ? text.data() : reason) + ")";
  }
};

producer::producer(std::string operator_name, std::string topic, const client_properties& properties)
    : impl_(std::make_unique<impl>()) {
  impl_->what = "kafka sink '" + operator_name + "'";
  impl_->topic = std::move(topic);
  internal::conf_ptr conf = internal::make_conf(impl_->what, {{"enable.idempotence", "true"}}, properties);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &impl::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &impl::on_error);
  rd_kafka_conf_set_opaque(conf.get(), impl_.get());
  std::array<char, 512> err{};
  impl_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err.data(), err.size());
  if (impl_->rk == nullptr) throw usage_error(impl_->what + ": cannot create the producer: " + err.data());
  (void)conf.release();  // rd_kafka_new took it
}

producer::~producer() {
  impl_->closing = true;
  impl_->acks = nullptr;
  if (impl_->in_flight > 0) {
    rd_kafka_purge(impl_->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
    rd_kafka_flush(impl_->rk, 100);  // serves the purged messages' reports
  }
  rd_kafka_destroy(impl_->rk);
}

producer::offer producer::produce(const message& m, timestamp tag) {
  const void* key = m.key ? static_cast<const void*>(m.key->data()) : nullptr;
  const std::size_t key_size = m.key ? m.key->size() : 0;
  void* value = const_cast<char*>(m.value.data());  // copied (RD_KAFKA_MSG_F_COPY), never written
  void* opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(tag));
  const rd_kafka_resp_err_t err = rd_kafka_producev(
      impl_->rk, RD_KAFKA_V_TOPIC(impl_->topic.c_str()), RD_KAFKA_V_PARTITION(m.partition),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_KEY(key, key_size), RD_KAFKA_V_VALUE(value, m.value.size()), RD_KAFKA_V_TIMESTAMP(m.timestamp_ms),
      RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++impl_->in_flight;
    return offer::accepted;
  }
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return offer::queue_full;
  throw kafka_error(impl_->what + ": producing to topic '" + impl_->topic + "' partition " + std::to_string(m.partition) +
                    " failed: " + internal::error_text(err));
}

void producer::poll(std::vector<ack>& out) {
  impl_->acks = &out;
  rd_kafka_poll(impl_->rk, 0);
  impl_->acks = nullptr;
  if (!impl_->failure.empty()) throw kafka_error(impl_->failure);
}

std::size_t producer::in_flight() const noexcept { return impl_->in_flight; }

}  // namespace streamweave::kafka
