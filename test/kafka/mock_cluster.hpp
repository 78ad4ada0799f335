#pragma once
/// \file
/// Test support: librdkafka's mock cluster (an in-process broker speaking the Kafka protocol;
/// no network, no broker install), and a reader that returns everything in a topic.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace streamweave::testing {

/// One message as read back from the cluster.
struct stored_message {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::string value;
};

class mock_cluster {
 public:
  explicit mock_cluster(int brokers = 1) {
    std::array<char, 512> err{};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err.data(), err.size());  // only hosts the cluster
    if (owner_ == nullptr) throw std::runtime_error(std::string("mock cluster owner: ") + err.data());
    cluster_ = rd_kafka_mock_cluster_new(owner_, brokers);
    if (cluster_ == nullptr) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  }
  mock_cluster(const mock_cluster&) = delete;
  mock_cluster& operator=(const mock_cluster&) = delete;
  ~mock_cluster() {
    rd_kafka_mock_cluster_destroy(cluster_);  // before its owner
    rd_kafka_destroy(owner_);
  }

  const std::string& bootstraps() const noexcept { return bootstraps_; }

  /// A client of this cluster with `properties` set; `who` names it in errors.
  rd_kafka_t* new_client(rd_kafka_type_t type, const std::vector<std::pair<const char*, const char*>>& properties,
                         const char* who) const {
    std::array<char, 512> err{};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), err.data(), err.size());
    for (const auto& [k, v] : properties)
      if (rd_kafka_conf_set(conf, k, v, err.data(), err.size()) != RD_KAFKA_CONF_OK)
        throw std::runtime_error(std::string(who) + ": " + err.data());
    rd_kafka_t* rk = rd_kafka_new(type, conf, err.data(), err.size());
    if (rk == nullptr) throw std::runtime_error(std::string(who) + ": " + err.data());
    return rk;
  }
  rd_kafka_mock_cluster_t* handle() const noexcept { return cluster_; }

  void create_topic(const std::string& topic, int partitions) {
    if (rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1) != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw std::runtime_error("cannot create mock topic " + topic);
  }

  /// The offsets `group` committed for partitions 0 .. partitions-1 of `topic` (-1001, librdkafka's
  /// "invalid", where none), asked of the group coordinator by a client that does not join.
  std::vector<std::int64_t> committed(const std::string& group, const std::string& topic, int partitions) const {
    rd_kafka_t* rk = new_client(RD_KAFKA_CONSUMER, {{"group.id", group.c_str()}}, "committed");
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(parts, topic.c_str(), p);
    const rd_kafka_resp_err_t e = rd_kafka_committed(rk, parts, 10000);
    std::vector<std::int64_t> out;
    for (int i = 0; i < parts->cnt; ++i) out.push_back(parts->elems[i].offset);
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(rk);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(std::string("committed: ") + rd_kafka_err2str(e));
    return out;
  }

  /// One message to write with `produce_all`.
  struct outgoing {
    std::int32_t partition = 0;
    std::string key;
    std::string value;
    std::int64_t timestamp_ms = 0;
  };

  /// Writes `messages` to `topic` with an idempotent producer and waits until all are
  /// acknowledged; throws if any is not.
  void produce_all(const std::string& topic, const std::vector<outgoing>& messages) const {
    rd_kafka_t* rk = new_client(RD_KAFKA_PRODUCER, {{"enable.idempotence", "true"}, {"linger.ms", "5"}}, "writer");
    for (const outgoing& m : messages) {
      for (;;) {
        const rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(m.partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(m.key.data(), m.key.size()), RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
            RD_KAFKA_V_TIMESTAMP(m.timestamp_ms), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) throw std::runtime_error(std::string("produce: ") + rd_kafka_err2str(e));
        rd_kafka_poll(rk, 10);
      }
    }
    const bool flushed = rd_kafka_flush(rk, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_destroy(rk);
    if (!flushed) throw std::runtime_error("writer: messages left unacknowledged");
  }

  /// Every message of `topic` (partitions 0 .. partitions-1) from the start to the high
  /// watermark at the time of the call, read with an assigned (not subscribed) consumer.
  std::vector<stored_message> read_all(const std::string& topic, int partitions) const {
    rd_kafka_t* rk = new_client(RD_KAFKA_CONSUMER, {{"group.id", "test-reader"}, {"enable.auto.commit", "false"}}, "reader");
    rd_kafka_poll_set_consumer(rk);
    std::int64_t expected = 0;
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) {
      std::int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw std::runtime_error("cannot query the watermarks of " + topic);
      expected += high - low;
      rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    std::vector<stored_message> out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (static_cast<std::int64_t>(out.size()) < expected && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        stored_message s;
        s.partition = m->partition;
        s.offset = m->offset;
        if (m->key != nullptr) s.key.emplace(static_cast<const char*>(m->key), m->key_len);
        s.value.assign(static_cast<const char*>(m->payload), m->len);
        out.push_back(std::move(s));
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return out;
  }

 private:
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
};

}  // namespace streamweave::testing
