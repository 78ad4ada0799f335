#pragma once
/// \file
/// `kafka::source<T>`: a member of a Kafka consumer group that feeds a graph, with one
/// event-time watermark per Kafka partition, and commits a partition's offset only once every
/// record up to it is complete at a probe.
///
///     kafka::source<int> src(g, "clicks", {.topic = "clicks", .group_id = "counter",
///                                          .properties = {{"bootstrap.servers", brokers}}},
///                            [](const kafka::consumed& m) { return std::stoi(std::string(m.value)); });
///     auto counts = src.records().key_by(...).window(...).count("per minute");
///     src.commit_when_complete(counts.output.probe());
///     auto run = rt.run(g);
///     src.start();                 // the consumer thread
///     ...
///     src.stop();                  // stops reading and closes the input: the graph drains
///     run.wait();
///     src.close();                 // commits what the probe says is complete, leaves the group
///
/// Contract:
///  - **Partitions and time.** The source reads the topic's partition count when it is created
///    (the cluster must answer within `metadata_timeout`) and makes an event-time input
///    (window/event_time.hpp) with one partition per Kafka partition. A record's event time is
///    its Kafka timestamp in milliseconds (negative: 0), or `event_time(consumed)` when given;
///    each partition's watermark trails its latest event time by `max_disorder`, and a partition
///    idle for `idle_timeout` does not hold time back. A partition assigned to this member
///    holds time again from its assignment on (until it delivers or times out).
///  - **Deserialization** (`deserialize(const consumed&) -> T`) runs on the consumer thread. A
///    message whose deserializer throws is never skipped silently: with `bad_message::fail` the
///    run fails with `kafka_error` naming the operator, the topic, the partition, the offset and
///    the deserializer's message (out of `wait()`, nested in `operator_error` for the operator
///    `<name> records`); with `bad_message::dead_letter` it goes to `dead_letters()` (its bytes,
///    position and error) and is counted. Either way its offset counts as consumed.
///  - **Commit on completeness.** With `commit_when_complete(p)`, every `commit_interval` the
///    consumer thread commits, per partition, the offset after the last record whose batch time
///    `p` says is complete (and, before partitions are revoked and at `close()`, synchronously).
///    So a committed offset never passes a record that has not been fully processed up to `p`:
///    at-least-once, end to end. Without a probe nothing is committed. "Processed" is up to the
///    record's own time: a window emits at its later fire time, so the offsets of records in a
///    window that has not fired yet may be committed (a crash loses their part of that window).
///  - **Observers.** `source_options::on_assigned`, `on_revoked` and `on_committed` (offsets the
///    coordinator acknowledged) run on the thread using the client.
///  - **Back-pressure.** When the graph refuses a record, the source pauses every assigned
///    partition (`rd_kafka_pause_partitions`), keeps polling (so the member stays in its group)
///    and keeps what arrives anyway in order; it resumes once the graph takes records again. The
///    records it holds are bounded by librdkafka's prefetch (`queued.max.messages.kbytes`).
///  - **Rebalances.** On revoke: the complete offsets of the revoked partitions are committed,
///    records of theirs not yet handed to the graph are dropped (the next owner re-reads them
///    from the committed offset), and their watermarks go idle. Records of theirs already in the
///    graph are processed to the end; the next owner may read them again (the duplicates that
///    at-least-once allows: everything after the last committed offset). On assign: reading
///    resumes at the committed offsets (`auto.offset.reset`, `earliest` by default, when none).
///  - **Threads.** `start`, `stop`, `close` and the destructor are for the thread that owns the
///    source, one call at a time; `records_read` and `reading` may be called from any thread.
///    The consumer thread is the only one using the client between `start` and `stop`.
///  - The destructor stops and closes (swallowing errors: call them yourself to see them).
#include <streamweave/error.hpp>
#include <streamweave/graph/graph.hpp>
#include <streamweave/graph/stream.hpp>
#include <streamweave/kafka/client.hpp>
#include <streamweave/kafka/consumer.hpp>
#include <streamweave/operators/generic.hpp>
#include <streamweave/progress/probe.hpp>
#include <streamweave/window/event_time.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

namespace streamweave::kafka {

/// A message that could not be deserialized: its bytes, where it was, and why.
struct dead_letter {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::string value;
  std::string error;
};

enum class bad_message { fail, dead_letter };

struct source_options {
  std::string topic;
  std::string group_id;
  client_properties properties;
  /// Event-time units (milliseconds for Kafka timestamps) a record may trail the latest one of
  /// its partition and still be on time.
  timestamp max_disorder = 0;
  std::chrono::milliseconds idle_timeout{200};
  bad_message on_bad_message = bad_message::fail;
  std::chrono::milliseconds commit_interval{100};
  std::chrono::milliseconds metadata_timeout{10'000};
  /// Optional observers of the group, called on the thread using the client: the consumer
  /// thread, or the one calling `close()` while the member leaves. Keep them short: the member
  /// must keep polling to stay in its group. What one throws stops the reading and
  /// comes out of `stop()` (or `close()`, for the calls made while leaving).
  /// - `on_assigned`: partitions this member now reads, after their watermarks hold time again.
  /// - `on_revoked`: partitions it gave up, after their complete offsets were committed.
  /// - `on_committed`: offsets the group coordinator stored (acknowledged commits only), each
  ///   higher than the last one reported for its partition.
  std::function<void(std::span<const std::int32_t>)> on_assigned;
  std::function<void(std::span<const std::int32_t>)> on_revoked;
  std::function<void(std::span<const partition_offset>)> on_committed;
};

template <class T>
class source {
 public:
  using deserializer = std::function<T(const consumed&)>;
  using event_time_of = std::function<timestamp(const consumed&)>;

  /// Creates the consumer (joining the group), reads the partition count and adds the input
  /// `<name>` and the operator `<name> records` to `g`. Throws `usage_error` for an empty topic
  /// or group, a bad property or a non-positive interval, `kafka_error` when the topic's
  /// metadata cannot be read.
  source(graph& g, std::string name, source_options options, deserializer deserialize, event_time_of event_time = {})
      : s_(std::make_unique<state>(std::move(name), std::move(options), std::move(deserialize), std::move(event_time))) {
    s_->build(g);
  }
  source(const source&) = delete;
  source& operator=(const source&) = delete;
  ~source() {
    try {
      stop();
    } catch (...) {
    }
    try {
      close();
    } catch (...) {
    }
  }

  /// The deserialized records, in event time.
  const stream<T>& records() const noexcept { return *s_->records; }
  /// The messages that failed to deserialize, with `bad_message::dead_letter` (always
  /// created; empty otherwise). Like every stream it must be consumed, e.g. by a probe.
  const stream<dead_letter>& dead_letters() const noexcept { return *s_->dead; }

  /// Commits offsets once `p` says their records' times are complete. Call before `start`.
  void commit_when_complete(probe p) {
    if (s_->thread.joinable()) throw usage_error(s_->what + ": commit_when_complete() after start()");
    s_->done = std::move(p);
  }

  /// Starts the consumer thread; call once the run has started. Throws `usage_error` when
  /// called twice.
  void start() {
    if (s_->started) throw usage_error(s_->what + ": start() called twice");
    s_->started = true;
    s_->reading.store(true, std::memory_order_release);
    s_->thread = std::thread([st = s_.get()] {
      st->loop();
      st->reading.store(false, std::memory_order_release);  // after `failure` is set
    });
  }

  /// Stops reading and closes the input, so the graph can finish. Rethrows an error of the
  /// consumer thread (a fatal client error, or `usage_error` when `start` came before the run);
  /// a run that stopped on its own (failed or cancelled) just ends the reading. Idempotent.
  void stop() {
    s_->stopping.store(true, std::memory_order_release);
    if (s_->thread.joinable()) s_->thread.join();
    s_->close_input();
    if (s_->failure) std::rethrow_exception(std::exchange(s_->failure, nullptr));
  }

  /// After `stop`: commits (synchronously) what the probe says is complete and leaves the
  /// group. Idempotent.
  void close() {
    stop();
    if (s_->closed) return;
    s_->closed = true;
    try {
      s_->commit_complete(true);
    } catch (...) {
      s_->client->close();  // leave the group even when the last commit failed
      throw;
    }
    s_->client->close();
  }

  /// Messages read and handed to the graph (records and dead letters). Any thread.
  std::uint64_t records_read() const noexcept { return s_->read.load(std::memory_order_acquire); }

  /// True from `start` until the consumer thread ends: at `stop`, at a fatal error (which
  /// `stop` then rethrows) or when the run stopped. Any thread.
  bool reading() const noexcept { return s_->reading.load(std::memory_order_acquire); }

  /// The offsets this source committed last, per partition it committed for. Owner thread,
  /// after `stop()` (the consumer thread writes them while it runs).
  std::vector<partition_offset> last_commits() const { return s_->last_commits; }

 private:
  struct envelope {
    std::variant<T, dead_letter> item;
    timestamp event_time = 0;
  };
  struct event_time_of_envelope {
    timestamp operator()(const envelope& e) const noexcept { return e.event_time; }
  };
  using input_type = event_time_input<envelope, event_time_of_envelope>;
  struct waiting {
    std::size_t partition;
    std::int64_t offset;
    envelope env;
  };

  /// Everything the consumer thread uses; its rebalance listener too.
  struct state final : consumer::listener {
    state(std::string n, source_options o, deserializer d, event_time_of e)
        : name(std::move(n)), what("kafka source '" + name + "'"), options(std::move(o)), deserialize(std::move(d)),
          event_time(std::move(e)) {
      if (options.topic.empty()) throw usage_error(what + ": the topic is empty");
      if (options.commit_interval.count() <= 0) throw usage_error(what + ": commit_interval must be positive");
      if (!deserialize) throw usage_error(what + ": no deserializer");
      client = std::make_unique<consumer>(name, options.topic, options.group_id, options.properties, *this);
      partitions = client->partition_count(options.metadata_timeout);
      sent.resize(partitions);
      acknowledged.assign(partitions, -1);
    }
    state(const state&) = delete;
    state& operator=(const state&) = delete;
    /// Leaves the group before any member goes: leaving calls the listener (`revoking`).
    ~state() override {
      try {
        client->close();
      } catch (...) {
      }
    }

    void build(graph& g) {
      event_time_options eo;
      eo.max_disorder = options.max_disorder;
      eo.partitions = partitions;
      eo.idle_timeout = options.idle_timeout;
      auto [in, envelopes] = add_event_time_input<envelope>(g, name, event_time_of_envelope{}, eo);
      input.emplace(std::move(in));
      auto split = envelopes.template unary_outputs<T, dead_letter>(
          name + " records", [fail = options.on_bad_message == bad_message::fail, what = what](operator_setup& setup) {
            setup.drop_initial_capability();
            return [fail, what](auto& ctx) {
              auto& out = ctx.template output<0>();
              auto& dead = ctx.template output<1>();
              ctx.template input<0>().for_each([&](input_batch<envelope>& b) {
                std::optional<capability> to_out, to_dead;
                for (const envelope& e : b.records()) {
                  if (const T* r = std::get_if<T>(&e.item)) {
                    if (!to_out) to_out.emplace(b.retain(0));
                    out.give(*to_out, *r);
                    continue;
                  }
                  const dead_letter& d = std::get<dead_letter>(e.item);
                  if (fail)
                    throw kafka_error(what + ": the message at topic '" + d.topic + "' partition " +
                                      std::to_string(d.partition) + " offset " + std::to_string(d.offset) +
                                      " cannot be deserialized: " + d.error);
                  if (!to_dead) to_dead.emplace(b.retain(1));
                  dead.give(*to_dead, d);
                }
              });
            };
          });
      records.emplace(std::get<0>(split));
      dead.emplace(std::get<1>(split));
    }

    // ---- consumer thread ----
    void loop() {
      try {
        auto next_commit = std::chrono::steady_clock::now() + options.commit_interval;
        while (!stopping.load(std::memory_order_acquire)) {
          const bool took_all = offer_waiting();
          if (took_all)
            client->resume();
          else
            client->pause();
          if (const consumed* m = client->poll(std::chrono::milliseconds(took_all ? 10 : 2))) {
            hold(*m);
          } else {
            input->poll_idle();
            // Nothing to send: records accepted into a full queue move only on a call here.
            (void)input->try_flush();
          }
          if (const auto now = std::chrono::steady_clock::now(); now >= next_commit) {
            commit_complete(false);
            next_commit = now + options.commit_interval;
          }
        }
      } catch (const cancelled_error&) {
        // The run stopped (cancelled, or an operator failed): reading ends; the run's own
        // error comes out of its wait().
      } catch (...) {
        failure = std::current_exception();
      }
    }

    void hold(const consumed& m) {
      envelope env;
      env.event_time = event_time ? event_time(m) : static_cast<timestamp>(m.timestamp_ms < 0 ? 0 : m.timestamp_ms);
      try {
        env.item.template emplace<0>(deserialize(m));
      } catch (const std::exception& e) {
        env.item.template emplace<1>(letter(m, e.what()));
      } catch (...) {
        env.item.template emplace<1>(letter(m, "unknown exception"));
      }
      held.push_back({static_cast<std::size_t>(m.partition), m.offset, std::move(env)});
    }

    dead_letter letter(const consumed& m, std::string error) const {
      dead_letter d;
      d.topic = options.topic;
      d.partition = m.partition;
      d.offset = m.offset;
      if (m.key) d.key.emplace(*m.key);
      d.value.assign(m.value);
      d.error = std::move(error);
      return d;
    }

    /// Hands held records to the graph in order; false when the graph refused one.
    bool offer_waiting() {
      while (!held.empty()) {
        waiting& w = held.front();
        if (!input->try_send(w.partition, std::move(w.env))) return false;
        // Only this thread moves the input's time, so its time now is the record's batch time.
        note_sent(w.partition, input->watermark(), w.offset + 1);
        held.pop_front();
        read.fetch_add(1, std::memory_order_release);
      }
      return true;
    }

    void note_sent(std::size_t p, timestamp t, std::int64_t next_offset) {
      auto& q = sent[p];
      if (!q.empty() && q.back().first == t)
        q.back().second = next_offset;
      else
        q.emplace_back(t, next_offset);
    }

    /// Commits, per partition, the offset after the last record whose time is complete.
    void commit_complete(bool wait, const std::vector<std::int32_t>* only = nullptr) {
      if (!done) return;
      std::vector<partition_offset> offsets;
      auto collect = [&](std::size_t p) {
        auto& q = sent[p];
        std::optional<std::int64_t> next;
        while (!q.empty() && done->is_complete(q.front().first)) {
          next = q.front().second;
          q.pop_front();
        }
        if (next) offsets.push_back({static_cast<std::int32_t>(p), *next});
      };
      if (only != nullptr)
        for (const std::int32_t p : *only) collect(static_cast<std::size_t>(p));
      else
        for (std::size_t p = 0; p < sent.size(); ++p) collect(p);
      client->commit(offsets, wait);
      for (const partition_offset& o : offsets) remember_commit(o);
    }

    void remember_commit(const partition_offset& o) {
      for (auto& c : last_commits)
        if (c.partition == o.partition) {
          c = o;
          return;
        }
      last_commits.push_back(o);
    }

    void assigned(std::span<const std::int32_t> ps) override {
      if (!input_closed)
        for (const std::int32_t p : ps) input->mark_active(static_cast<std::size_t>(p));
      if (options.on_assigned) options.on_assigned(ps);
    }

    /// The result of an asynchronous commit can arrive after that of a later synchronous one
    /// (the coordinator stored both in order): only offsets that advance are reported.
    void committed(std::span<const partition_offset> offsets) override {
      std::vector<partition_offset> advanced;
      for (const partition_offset& o : offsets) {
        auto& last = acknowledged.at(static_cast<std::size_t>(o.partition));
        if (o.next_offset <= last) continue;
        last = o.next_offset;
        advanced.push_back(o);
      }
      if (options.on_committed && !advanced.empty()) options.on_committed(advanced);
    }

    void revoking(std::span<const std::int32_t> ps) override {
      const std::vector<std::int32_t> revoked(ps.begin(), ps.end());
      commit_complete(true, &revoked);
      for (const std::int32_t p : revoked) {
        sent[static_cast<std::size_t>(p)].clear();
        if (!input_closed) input->mark_idle(static_cast<std::size_t>(p));
      }
      std::erase_if(held, [&](const waiting& w) {
        return std::find(revoked.begin(), revoked.end(), static_cast<std::int32_t>(w.partition)) != revoked.end();
      });
      if (options.on_revoked) options.on_revoked(revoked);
    }

    void close_input() {
      if (input && !input_closed) {
        input_closed = true;
        input->close();
      }
    }

    const std::string name;
    const std::string what;
    const source_options options;
    const deserializer deserialize;
    const event_time_of event_time;
    std::unique_ptr<consumer> client;
    std::size_t partitions = 0;
    std::optional<input_type> input;
    std::optional<stream<T>> records;
    std::optional<stream<dead_letter>> dead;
    std::optional<probe> done;
    std::vector<std::deque<std::pair<timestamp, std::int64_t>>> sent;  // per partition: (time, next offset)
    std::deque<waiting> held;  // read, not yet taken by the graph
    std::vector<partition_offset> last_commits;
    std::vector<std::int64_t> acknowledged;  // per partition: the highest stored offset reported
    // Between start() and stop()'s join only the consumer thread touches the members above
    // (the listener runs on it too); the join publishes them back to the owner.
    std::atomic<bool> stopping{false};      // owner -> thread (release/acquire)
    std::atomic<std::uint64_t> read{0};     // thread -> any thread (release/acquire)
    std::atomic<bool> reading{false};       // start() and the thread's end -> any thread
    std::exception_ptr failure;             // set by the thread, read after the join
    std::thread thread;
    bool started = false;
    bool input_closed = false;
    bool closed = false;
  };

  std::unique_ptr<state> s_;
};

}  // namespace streamweave::kafka
