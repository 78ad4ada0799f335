#include <streamweave/kafka/consumer.hpp>

#include "kafka/client_config.hpp"

#include <librdkafka/rdkafka.h>

#include <array>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace streamweave::kafka {

namespace {

struct partition_list {
  rd_kafka_topic_partition_list_t* list;
  explicit partition_list(std::size_t n) : list(rd_kafka_topic_partition_list_new(static_cast<int>(n))) {}
  partition_list(const partition_list&) = delete;
  partition_list& operator=(const partition_list&) = delete;
  ~partition_list() { rd_kafka_topic_partition_list_destroy(list); }
};

std::vector<std::int32_t> partitions_of(const rd_kafka_topic_partition_list_t* list) {
  std::vector<std::int32_t> out;
  for (int i = 0; i < list->cnt; ++i) out.push_back(list->elems[i].partition);
  return out;
}

}  // namespace

/// The rebalance callback runs inside rd_kafka_consumer_poll / rd_kafka_consumer_close, on the
/// calling thread (the consumer's one thread at a time).
struct consumer::impl {
  std::string what;  // "kafka source 'name'"
  std::string topic;
  listener* events = nullptr;
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* commit_results = nullptr;  // where asynchronous commits report; served by poll
  rd_kafka_message_t* current = nullptr;  // the message `poll` returned last
  consumed view;
  bool paused = false;
  bool closed = false;
  std::exception_ptr listener_error;  // thrown by the listener inside a C callback; rethrown after it

  void rethrow_listener_error() {
    if (listener_error) std::rethrow_exception(std::exchange(listener_error, nullptr));
  }

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque) {
    auto& self = *static_cast<impl*>(opaque);
    // No exception may cross librdkafka's C frames: the listener's is kept for the caller.
    try {
      const std::vector<std::int32_t> ids = partitions_of(parts);
      if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        self.events->assigned(ids);
      else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        self.events->revoking(ids);  // commit what is complete before giving them up
    } catch (...) {
      if (!self.listener_error) self.listener_error = std::current_exception();
    }
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(rk, parts);
      // A partition paused before a revoke stays paused in librdkafka when it comes back to
      // this member; `resume()` during the revoke saw no assignment to resume. So every
      // assigned partition gets the member's pause state explicitly.
      if (self.paused)
        rd_kafka_pause_partitions(rk, parts);
      else
        rd_kafka_resume_partitions(rk, parts);
    } else {
      rd_kafka_assign(rk, nullptr);  // revoked, or a rebalance error
    }
  }

  /// A commit's result: from rd_kafka_commit_queue, inside the call for a synchronous commit,
  /// inside rd_kafka_queue_poll_callback(commit_results) for an asynchronous one.
  static void on_commit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets, void* opaque) {
    auto& self = *static_cast<impl*>(opaque);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR || offsets == nullptr) return;  // dropped: at-least-once
    try {
      std::vector<partition_offset> stored;
      for (int i = 0; i < offsets->cnt; ++i)
        if (offsets->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
          stored.push_back({offsets->elems[i].partition, offsets->elems[i].offset});
      if (!stored.empty()) self.events->committed(stored);
    } catch (...) {
      if (!self.listener_error) self.listener_error = std::current_exception();
    }
  }

  void serve_commit_results() {
    while (rd_kafka_queue_poll_callback(commit_results, 0) > 0) {
    }
  }

  void release_current() noexcept {
    if (current != nullptr) rd_kafka_message_destroy(current);
    current = nullptr;
  }

  void for_assignment(rd_kafka_resp_err_t (*op)(rd_kafka_t*, rd_kafka_topic_partition_list_t*)) {
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(rk, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (assigned->cnt > 0) op(rk, assigned);
    rd_kafka_topic_partition_list_destroy(assigned);
  }
};

consumer::consumer(std::string operator_name, std::string topic, std::string group_id,
                   const client_properties& properties, listener& events)
    : impl_(std::make_unique<impl>()) {
  impl_->what = "kafka source '" + operator_name + "'";
  impl_->topic = std::move(topic);
  impl_->events = &events;
  if (group_id.empty()) throw usage_error(impl_->what + ": the consumer group id is empty");
  // The source commits what is complete: automatic commits and offset stores are not the
  // user's to turn on.
  internal::conf_ptr conf = internal::make_conf(
      impl_->what, {{"auto.offset.reset", "earliest"}}, properties,
      {{"group.id", group_id}, {"enable.auto.commit", "false"}, {"enable.auto.offset.store", "false"}});
  rd_kafka_conf_set_rebalance_cb(conf.get(), &impl::on_rebalance);
  rd_kafka_conf_set_opaque(conf.get(), impl_.get());
  std::array<char, 512> err{};
  impl_->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err.data(), err.size());
  if (impl_->rk == nullptr) throw usage_error(impl_->what + ": cannot create the consumer: " + err.data());
  (void)conf.release();  // rd_kafka_new took it
  rd_kafka_poll_set_consumer(impl_->rk);
  partition_list sub(1);
  rd_kafka_topic_partition_list_add(sub.list, impl_->topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (const rd_kafka_resp_err_t e = rd_kafka_subscribe(impl_->rk, sub.list); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_destroy(impl_->rk);
    throw kafka_error(impl_->what + ": cannot subscribe to topic '" + impl_->topic + "': " + internal::error_text(e));
  }
  impl_->commit_results = rd_kafka_queue_new(impl_->rk);
}

consumer::~consumer() {
  try {
    close();
  } catch (...) {  // a destructor does not throw; close's commits are the listener's
  }
  rd_kafka_queue_destroy(impl_->commit_results);  // queues go before their client
  rd_kafka_destroy(impl_->rk);
}

std::size_t consumer::partition_count(std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(impl_->rk, impl_->topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t e = rd_kafka_metadata(impl_->rk, 0, rkt, &md, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(rkt);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw kafka_error(impl_->what + ": no metadata for topic '" + impl_->topic + "': " + internal::error_text(e));
  std::string problem;
  std::size_t count = 0;
  if (md->topic_cnt != 1)
    problem = "the cluster returned no such topic";
  else if (md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR)
    problem = internal::error_text(md->topics[0].err);
  else
    count = static_cast<std::size_t>(md->topics[0].partition_cnt);
  rd_kafka_metadata_destroy(md);
  if (!problem.empty() || count == 0)
    throw kafka_error(impl_->what + ": topic '" + impl_->topic + "': " + (problem.empty() ? "no partitions" : problem));
  return count;
}

const consumed* consumer::poll(std::chrono::milliseconds timeout) {
  impl_->release_current();
  rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk, static_cast<int>(timeout.count()));
  impl_->serve_commit_results();
  if (impl_->listener_error) {
    if (m != nullptr) rd_kafka_message_destroy(m);
    impl_->rethrow_listener_error();
  }
  if (m == nullptr) return nullptr;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const rd_kafka_resp_err_t e = m->err;
    rd_kafka_message_destroy(m);
    if (e == RD_KAFKA_RESP_ERR__FATAL) {
      std::array<char, 512> text{};
      const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(impl_->rk, text.data(), text.size());
      throw kafka_error(impl_->what + ": fatal consumer error on topic '" + impl_->topic +
                        "': " + internal::error_text(cause) + " (" + text.data() + ")");
    }
    return nullptr;  // partition EOF, a broker down, ...: the client retries
  }
  impl_->current = m;
  consumed& v = impl_->view;
  v.partition = m->partition;
  v.offset = m->offset;
  rd_kafka_timestamp_type_t type{};
  v.timestamp_ms = rd_kafka_message_timestamp(m, &type);
  v.key = m->key != nullptr ? std::optional<std::string_view>(std::string_view(static_cast<const char*>(m->key), m->key_len))
                            : std::nullopt;
  v.value = std::string_view(static_cast<const char*>(m->payload), m->len);
  return &v;
}

void consumer::pause() {
  if (impl_->paused) return;
  impl_->paused = true;
  impl_->for_assignment(&rd_kafka_pause_partitions);
}

void consumer::resume() {
  if (!impl_->paused) return;
  impl_->paused = false;
  impl_->for_assignment(&rd_kafka_resume_partitions);
}

bool consumer::paused() const noexcept { return impl_->paused; }

void consumer::commit(std::span<const partition_offset> offsets, bool wait) {
  if (offsets.empty()) return;
  partition_list list(offsets.size());
  for (const partition_offset& o : offsets)
    rd_kafka_topic_partition_list_add(list.list, impl_->topic.c_str(), o.partition)->offset = o.next_offset;
  // Synchronous: a temporary queue, served (on_commit called) before the call returns.
  const rd_kafka_resp_err_t e =
      rd_kafka_commit_queue(impl_->rk, list.list, wait ? nullptr : impl_->commit_results, &impl::on_commit, impl_.get());
  impl_->rethrow_listener_error();
  if (!wait || e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
  if (e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS || e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
      e == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || e == RD_KAFKA_RESP_ERR__STATE)
    return;  // the group moved on: the partitions' next owner re-reads (at-least-once)
  throw kafka_error(impl_->what + ": committing offsets of topic '" + impl_->topic + "' failed: " + internal::error_text(e));
}

std::vector<partition_offset> consumer::committed(std::span<const std::int32_t> partitions,
                                                  std::chrono::milliseconds timeout) {
  partition_list list(partitions.size());
  for (const std::int32_t p : partitions) rd_kafka_topic_partition_list_add(list.list, impl_->topic.c_str(), p);
  if (const rd_kafka_resp_err_t e = rd_kafka_committed(impl_->rk, list.list, static_cast<int>(timeout.count()));
      e != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw kafka_error(impl_->what + ": reading committed offsets of topic '" + impl_->topic + "' failed: " + internal::error_text(e));
  std::vector<partition_offset> out;
  for (int i = 0; i < list.list->cnt; ++i) out.push_back({list.list->elems[i].partition, list.list->elems[i].offset});
  return out;
}

void consumer::close() {
  if (impl_->closed) return;
  impl_->closed = true;
  impl_->release_current();
  rd_kafka_consumer_close(impl_->rk);
  impl_->serve_commit_results();
  impl_->rethrow_listener_error();
}

}  // namespace streamweave::kafka
