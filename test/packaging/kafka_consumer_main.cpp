// The kafka component as a consumer sees it: its headers and streamweave::kafka are enough
// (librdkafka is the component's private dependency). Runs no graph: no broker is needed.
#include <streamweave/kafka/sink.hpp>
#include <streamweave/streamweave.hpp>

#include <cstdio>
#include <string>

int main() {
  namespace kafka = streamweave::kafka;
  // A client for an unreachable broker is created and destroyed without blocking.
  kafka::producer p("consumer check", "topic", {{"bootstrap.servers", "127.0.0.1:1"}});
  if (p.in_flight() != 0) return 1;
  try {
    kafka::producer bad("consumer check", "topic", {{"no.such.property", "1"}});
    std::puts("an unknown client property was accepted");
    return 1;
  } catch (const streamweave::usage_error&) {
  }
  streamweave::graph g("kafka consumer");
  auto [in, values] = g.input<std::string>("values");
  auto durable = kafka::sink(values, "to topic", {.topic = "topic", .properties = {}},
                             [](const std::string& v) { return kafka::message{.key = std::nullopt, .value = v}; })
                     .probe();
  in.close();
  std::puts("kafka component: ok");
  return 0;
}
