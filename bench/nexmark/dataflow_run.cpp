// Running a NEXMark query over in-memory events.
#include "nexmark/dataflow_run.hpp"

#include "queries.hpp"

#include <optional>
#include <stdexcept>

namespace streamweave::nexmark {

namespace {

void check_times(std::span<const event> events) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::int64_t t = event_time(events[i]);
    const auto* a = std::get_if<auction>(&events[i]);
    if (t < 0 || (a != nullptr && a->expires < 0))
      throw std::invalid_argument("nexmark: event " + std::to_string(i) + " has a negative time (" + std::to_string(t) +
                                  "); StreamWeave's timestamps start at 0");
  }
}

}  // namespace

std::vector<std::string> run_dataflow(int q, std::span<const event> events, std::int64_t max_disorder_ms,
                                      const dataflow_options& options) {
  if (max_disorder_ms < 0) throw std::invalid_argument("nexmark: max_disorder_ms must not be negative");
  check_times(events);
  const std::size_t parallelism = options.parallelism != 0 ? options.parallelism : options.threads;
  const std::size_t partitions = options.partitions != 0 ? options.partitions : parallelism;

  runtime_options ro;
  ro.threads = options.threads;
  ro.deterministic = options.deterministic;
  if (options.batch_size != 0) ro.batch_size = options.batch_size;
  runtime rt(ro);
  graph g("nexmark q" + std::to_string(q));
  // Partition p reads the slice [p*n/P, (p+1)*n/P): in file order, so the file's disorder
  // bound holds within every slice.
  auto slice = [events](std::size_t p, std::size_t count) {
    const std::size_t begin = events.size() * p / count, end = events.size() * (p + 1) / count;
    return [events, i = begin, end]() mutable -> std::optional<event> {
      if (i == end) return std::nullopt;
      return events[i++];
    };
  };
  auto input = add_event_time_source(g, "nexmark events", partitions, slice, [](const event& e) { return as_time(event_time(e)); },
                                     static_cast<timestamp>(max_disorder_ms));
  auto rows = build_query(q, input, parallelism).collect("rows");
  rt.run(g).wait();
  return rows.records();
}

}  // namespace streamweave::nexmark
