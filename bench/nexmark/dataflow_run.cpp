// Running a NEXMark query over events from memory, the generator, or a csv stream.
#include "nexmark/dataflow_run.hpp"

#include "nexmark/csv_reader.hpp"
#include "queries.hpp"

#include <optional>
#include <stdexcept>

namespace streamweave::nexmark {

namespace {

/// NEXMark times are int64; StreamWeave's timestamps start at 0. `where()` names the event,
/// and is called only to report one: it runs once per event, so it builds no string on the way.
template <class Where>
void check_time(const event& e, Where&& where) {
  const std::int64_t t = event_time(e);
  const auto* a = std::get_if<auction>(&e);
  if (t < 0 || (a != nullptr && a->expires < 0)) [[unlikely]]
    throw std::invalid_argument("nexmark: " + where() + " has a negative time (" + std::to_string(t) +
                                "); StreamWeave's timestamps start at 0");
}

timestamp time_of_event(const event& e) { return as_time(event_time(e)); }

std::size_t parallelism_of(const dataflow_options& o) { return o.parallelism != 0 ? o.parallelism : o.threads; }
std::size_t partitions_of(const dataflow_options& o) { return o.partitions != 0 ? o.partitions : parallelism_of(o); }

/// Builds query `q` on the stream `make_input(graph)` returns (with whatever it needs to feed
/// it), runs it, calls `feed` with that while it runs, and returns the rows.
template <class MakeInput, class Feed>
std::vector<std::string> run_query(int q, const dataflow_options& o, MakeInput make_input, Feed feed) {
  runtime_options ro;
  ro.threads = o.threads;
  ro.deterministic = o.deterministic;
  if (o.batch_size != 0) ro.batch_size = o.batch_size;
  runtime rt(ro);
  graph g("nexmark q" + std::to_string(q));
  auto [feeder, events] = make_input(g);
  auto rows = build_query(q, events, parallelism_of(o)).collect("rows");
  auto ex = rt.run(g);
  try {
    feed(feeder);
  } catch (const cancelled_error&) {
    ex.wait();  // the run failed while being fed: rethrows why
    throw;
  }
  ex.wait();
  return rows.records();
}

/// Counts events into `o.progress` in steps, from one partition's thread.
class progress_counter {
 public:
  explicit progress_counter(const dataflow_options& o) : total_(o.progress) {}
  void one() {
    if (total_ != nullptr && ++pending_ == dataflow_options::progress_step) {
      total_->fetch_add(pending_, std::memory_order_relaxed);
      pending_ = 0;
    }
  }

 private:
  std::atomic<std::uint64_t>* total_;
  std::uint64_t pending_ = 0;
};

/// Sources move their watermark once per batch, so batches fill up at any event rate (with a
/// per-record watermark a batch would end every millisecond: 10 events at 10 M events/s).
event_time_source_options watermark_per_batch(std::int64_t max_disorder_ms) {
  return {.max_disorder = static_cast<timestamp>(max_disorder_ms), .watermark = source_watermark::per_batch};
}

/// For sources, which need no feeding.
struct nothing_to_feed {};
constexpr auto no_feed = [](nothing_to_feed&) {};

}  // namespace

std::vector<std::string> run_dataflow(int q, std::span<event> events, std::int64_t max_disorder_ms,
                                      const dataflow_options& options) {
  if (max_disorder_ms < 0) throw std::invalid_argument("nexmark: max_disorder_ms must not be negative");
  for (std::size_t i = 0; i < events.size(); ++i) check_time(events[i], [i] { return "event " + std::to_string(i); });
  // Partition p takes the slice [p*n/P, (p+1)*n/P): in file order, so the file's disorder
  // bound holds within every slice. The slices are disjoint, so each partition moves its own.
  auto slice = [events, &options](std::size_t p, std::size_t count) {
    const std::size_t begin = events.size() * p / count, end = events.size() * (p + 1) / count;
    return [events, i = begin, end, progress = progress_counter(options)]() mutable -> std::optional<event> {
      if (i == end) return std::nullopt;
      progress.one();
      return std::move(events[i++]);
    };
  };
  return run_query(
      q, options,
      [&](graph& g) {
        return std::pair{nothing_to_feed{}, add_event_time_source(g, "nexmark events", partitions_of(options), slice, time_of_event,
                                                                  watermark_per_batch(max_disorder_ms))};
      },
      no_feed);
}

std::vector<std::string> run_generated(int q, const generator& gen, std::uint64_t count, const dataflow_options& options) {
  if (gen.config().base_time < 0) throw std::invalid_argument("nexmark: the generator's base_time is negative");
  // Partition p generates event numbers [p*count/P, (p+1)*count/P), in event-time order.
  auto slice = [&gen, count, &options](std::size_t p, std::size_t parts) {
    const std::uint64_t begin = count * p / parts, end = count * (p + 1) / parts;
    return [&gen, n = begin, end, progress = progress_counter(options)]() mutable -> std::optional<event> {
      if (n == end) return std::nullopt;
      progress.one();
      return gen.at(n++);
    };
  };
  return run_query(
      q, options,
      [&](graph& g) {
        return std::pair{nothing_to_feed{},
                         add_event_time_source(g, "nexmark generator", partitions_of(options), slice, time_of_event, watermark_per_batch(0))};
      },
      no_feed);
}

std::vector<std::string> run_from_csv(int q, std::istream& in, const std::string& source_name, const dataflow_options& options,
                                      csv_feed_stats* stats) {
  csv_reader reader(in, source_name);
  // The header comes first: read up to the first event or W line to learn max_delay_ms.
  std::optional<csv_item> first = reader.next();
  const timestamp disorder = static_cast<timestamp>(reader.max_delay_ms().value_or(0));
  csv_feed_stats fed;
  progress_counter progress(options);
  auto send_all = [&](auto& input) {
    for (std::optional<csv_item> item = std::move(first); item; item = reader.next()) {
      if (auto* e = std::get_if<event>(&*item)) {
        check_time(*e, [&] { return source_name + ":" + std::to_string(reader.line_number()); });
        input.send(std::move(*e));
        ++fed.events;
        progress.one();
      } else {
        const std::int64_t w = std::get<watermark>(*item).ms;
        if (w > 0) input.advance_to(as_time(w));
        ++fed.watermarks;
      }
    }
    input.close();
  };
  auto rows = run_query(
      q, options,
      [&](graph& g) {
        event_time_options eto;
        eto.max_disorder = disorder;
        return add_event_time_input<event>(g, "nexmark csv", time_of_event, eto);
      },
      send_all);
  if (stats) *stats = fed;
  return rows;
}

}  // namespace streamweave::nexmark
