// The `nexmark` tool (run it through tools/nexmark, which builds it first):
//
//   nexmark generate -n N [--rate R] [--seed S] [--base-time MS] [--no-extra]
//                    [--max-delay-ms K --delay-prob P [--delay-kinds B|PAB]]
//                    [--watermark-every M] -o FILE
//   nexmark validate FILE      reads FILE, checks every rule of nexmark-csv v1, prints counts
//   nexmark run --query qN|all (--events FILE [--feed source|input] | --generate N [--rate R]
//               [--seed S] [--no-extra]) [--threads T] [--out DIR] [--deterministic]
//                              runs the queries on StreamWeave and prints, per query, events,
//                              wall time, events/s, events/s per thread and peak RSS; with
//                              --out, writes DIR/qN.csv sorted bytewise
//   nexmark reference --query qN|all --events FILE --out DIR
//                              writes DIR/qN.csv from the sequential reference queries, sorted
//                              bytewise as the expected files are
//
// Errors go to stderr with exit status 1 (bad data) or 2 (bad arguments).
#include "nexmark/csv_reader.hpp"
#include "nexmark/dataflow_run.hpp"
#include "nexmark/generator.hpp"
#include "nexmark/reference_queries.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace nx = streamweave::nexmark;

namespace {

/// Wrong command-line use: exit status 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr const char* usage_text =
    "usage:\n"
    "  nexmark generate -n N [--rate R] [--seed S] [--base-time MS] [--no-extra]\n"
    "                   [--max-delay-ms K --delay-prob P [--delay-kinds B|PAB]]\n"
    "                   [--watermark-every M] -o FILE\n"
    "  nexmark validate FILE\n"
    "  nexmark run --query qN|all (--events FILE [--feed source|input] | --generate N [--rate R]\n"
    "              [--seed S] [--no-extra]) [--threads T] [--out DIR] [--deterministic]\n"
    "  nexmark reference --query qN|all --events FILE --out DIR\n";

/// The arguments after the subcommand, taken in order.
class arguments {
 public:
  arguments(int argc, char** argv) : args_(argv + 2, argv + argc) {}
  bool done() const { return at_ >= args_.size(); }
  std::string_view next_flag() { return args_[at_++]; }
  std::string value(std::string_view flag) {
    if (done()) throw usage_error(std::string(flag) + " needs a value");
    return args_[at_++];
  }
  template <class T>
  T number(std::string_view flag) {
    const std::string v = value(flag);
    T out{};
    const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size())
      throw usage_error(std::string(flag) + ": '" + v + "' is not a valid number");
    return out;
  }

 private:
  std::vector<std::string> args_;
  std::size_t at_ = 0;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int generate(arguments args) {
  nx::generator_config config;
  nx::disorder_config disorder;
  std::optional<std::uint64_t> count;
  std::string path;
  while (!args.done()) {
    const std::string_view f = args.next_flag();
    if (f == "-n") count = args.number<std::uint64_t>(f);
    else if (f == "--rate") config.rate = args.number<std::uint64_t>(f);
    else if (f == "--seed") config.seed = args.number<std::uint64_t>(f);
    else if (f == "--base-time") config.base_time = args.number<std::int64_t>(f);
    else if (f == "--no-extra") config.extra = false;
    else if (f == "--max-delay-ms") disorder.max_delay_ms = args.number<std::int64_t>(f);
    else if (f == "--delay-prob") disorder.delay_prob = args.number<double>(f);
    else if (f == "--watermark-every") disorder.watermark_every = args.number<std::uint64_t>(f);
    else if (f == "--delay-kinds") {
      const std::string k = args.value(f);
      if (k != "B" && k != "PAB") throw usage_error("--delay-kinds: '" + k + "' is neither B nor PAB");
      disorder.delay_bids_only = k == "B";
    } else if (f == "-o") path = args.value(f);
    else throw usage_error("generate: unknown option '" + std::string(f) + "'");
  }
  if (!count) throw usage_error("generate: -n N is required");
  if (path.empty()) throw usage_error("generate: -o FILE is required");
  nx::generator gen(config);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error(path + ": cannot open for writing");
  const auto t0 = std::chrono::steady_clock::now();
  nx::write_csv(gen, *count, disorder, out);
  out.close();
  if (!out) throw std::runtime_error(path + ": write failed");
  std::printf("wrote %llu events to %s in %.2f s\n", static_cast<unsigned long long>(*count), path.c_str(), seconds_since(t0));
  return 0;
}

int validate(arguments args) {
  if (args.done()) throw usage_error("validate: FILE is required");
  const std::string path(args.next_flag());
  if (!args.done()) throw usage_error("validate: takes one FILE");
  const auto t0 = std::chrono::steady_clock::now();
  const nx::csv_contents c = nx::read_file(path);
  std::size_t persons = 0, auctions = 0, bids = 0;
  for (const nx::event& e : c.events) {
    persons += std::holds_alternative<nx::person>(e);
    auctions += std::holds_alternative<nx::auction>(e);
    bids += std::holds_alternative<nx::bid>(e);
  }
  std::printf("%s: valid nexmark-csv v1: %zu persons, %zu auctions, %zu bids, %zu W lines, max_delay_ms=%s (%.2f s)\n",
              path.c_str(), persons, auctions, bids, c.watermarks.size(),
              c.max_delay_ms ? std::to_string(*c.max_delay_ms).c_str() : "none", seconds_since(t0));
  return 0;
}

std::vector<int> parse_queries(const std::string& q) {
  if (q == "all") {
    std::vector<int> all(nx::query_count);
    for (int i = 0; i < nx::query_count; ++i) all[static_cast<std::size_t>(i)] = i;
    return all;
  }
  if (q.size() == 2 && q[0] == 'q' && q[1] >= '0' && q[1] < '0' + nx::query_count) return {q[1] - '0'};
  throw usage_error("--query: '" + q + "' is neither q0..q8 nor all");
}

/// Writes `rows` sorted bytewise to DIR/qN.csv; returns the path.
std::string write_sorted_rows(const std::string& out_dir, int q, std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  std::filesystem::create_directories(out_dir);
  const std::string path = out_dir + "/q" + std::to_string(q) + ".csv";
  std::ofstream out(path, std::ios::binary);
  for (const std::string& r : rows) out << r << '\n';
  out.close();
  if (!out) throw std::runtime_error(path + ": write failed");
  return path;
}

/// The process's peak resident set so far, in MiB.
double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

/// While alive, shows "label: k of n events (x %)" once a second on stderr when it is a
/// terminal; clears the line when done.
class progress_display {
 public:
  progress_display(std::string label, std::uint64_t total, const std::atomic<std::uint64_t>& done)
      : label_(std::move(label)), total_(total), done_(done) {
    if (isatty(STDERR_FILENO) != 0) thread_ = std::thread([this] { show(); });
  }
  progress_display(const progress_display&) = delete;
  progress_display& operator=(const progress_display&) = delete;
  ~progress_display() {
    stop_.store(true);
    if (thread_.joinable()) {
      thread_.join();
      std::fprintf(stderr, "\r\033[K");
    }
  }

 private:
  void show() {
    for (int tick = 0; !stop_.load(); ++tick) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (tick % 10 != 9) continue;
      const std::uint64_t done = done_.load(std::memory_order_relaxed);
      std::fprintf(stderr, "\r\033[K%s: %llu of %llu events (%.0f %%)", label_.c_str(), static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total_), total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 0.0);
    }
  }
  std::string label_;
  std::uint64_t total_;
  const std::atomic<std::uint64_t>& done_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

int run(arguments args) {
  std::string query, events_path, out_dir, feed = "source";
  std::optional<std::uint64_t> generate;
  nx::generator_config config;
  nx::dataflow_options options;
  while (!args.done()) {
    const std::string_view f = args.next_flag();
    if (f == "--query") query = args.value(f);
    else if (f == "--events") events_path = args.value(f);
    else if (f == "--feed") feed = args.value(f);
    else if (f == "--generate") generate = args.number<std::uint64_t>(f);
    else if (f == "--rate") config.rate = args.number<std::uint64_t>(f);
    else if (f == "--seed") config.seed = args.number<std::uint64_t>(f);
    else if (f == "--no-extra") config.extra = false;
    else if (f == "--threads") options.threads = args.number<std::size_t>(f);
    else if (f == "--out") out_dir = args.value(f);
    else if (f == "--deterministic") options.deterministic = true;
    else throw usage_error("run: unknown option '" + std::string(f) + "'");
  }
  if (query.empty()) throw usage_error("run: --query is required");
  if (events_path.empty() == !generate.has_value()) throw usage_error("run: give exactly one of --events FILE and --generate N");
  if (feed != "source" && feed != "input") throw usage_error("--feed: '" + feed + "' is neither source nor input");
  if (feed == "input" && events_path.empty()) throw usage_error("--feed input reads a file: needs --events FILE");
  if (options.threads == 0) throw usage_error("--threads must be at least 1");
  const std::vector<int> queries = parse_queries(query);

  // Events for --feed source from a file are read (and checked) before any timing starts.
  nx::csv_contents contents;
  if (!events_path.empty() && feed == "source") contents = nx::read_file(events_path);
  const nx::generator gen(config);
  std::printf("%-4s %12s %10s %14s %18s %10s %12s  (%s, %zu thread%s%s)\n", "q", "events", "wall s", "events/s",
              "events/s/thread", "rows", "peak RSS MiB",
              generate ? "generated in the graph" : feed == "input" ? "file read through an input" : "file events in memory",
              options.threads, options.threads == 1 ? "" : "s", options.deterministic ? ", deterministic" : "");
  for (const int q : queries) {
    std::atomic<std::uint64_t> progress{0};
    options.progress = &progress;
    const std::uint64_t total = generate ? *generate : contents.events.size();
    std::vector<std::string> rows;
    std::uint64_t events = total;
    // The graph moves the events out; each query gets its own copy, made before the clock starts.
    std::vector<nx::event> events_in_memory;
    if (!events_path.empty() && feed == "source") events_in_memory = contents.events;
    const auto t0 = std::chrono::steady_clock::now();
    {
      progress_display display("q" + std::to_string(q), total, progress);
      if (generate) {
        rows = nx::run_generated(q, gen, *generate, options);
      } else if (feed == "source") {
        rows = nx::run_dataflow(q, events_in_memory, contents.max_delay_ms.value_or(0), options);
      } else {
        std::ifstream in(events_path, std::ios::binary);
        if (!in) throw std::runtime_error(events_path + ": cannot open");
        nx::csv_feed_stats fed;
        rows = nx::run_from_csv(q, in, events_path, options, &fed);
        events = fed.events;
      }
    }
    const double wall = seconds_since(t0);
    const double rate = static_cast<double>(events) / wall;
    std::printf("q%-3d %12llu %10.3f %14.0f %18.0f %10zu %12.1f\n", q, static_cast<unsigned long long>(events), wall, rate,
                rate / static_cast<double>(options.threads), rows.size(), peak_rss_mib());
    std::fflush(stdout);
    if (!out_dir.empty()) write_sorted_rows(out_dir, q, std::move(rows));
  }
  if (!out_dir.empty()) std::printf("rows written to %s/q<n>.csv (sorted bytewise)\n", out_dir.c_str());
  return 0;
}

int reference(arguments args) {
  std::string query, events, out_dir;
  while (!args.done()) {
    const std::string_view f = args.next_flag();
    if (f == "--query") query = args.value(f);
    else if (f == "--events") events = args.value(f);
    else if (f == "--out") out_dir = args.value(f);
    else throw usage_error("reference: unknown option '" + std::string(f) + "'");
  }
  if (query.empty() || events.empty() || out_dir.empty())
    throw usage_error("reference: --query, --events and --out are required");
  const std::vector<int> queries = parse_queries(query);
  const nx::csv_contents c = nx::read_file(events);
  for (const int q : queries) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> rows = nx::reference_rows(q, c.events);
    const std::size_t count = rows.size();
    const double seconds = seconds_since(t0);
    const std::string path = write_sorted_rows(out_dir, q, std::move(rows));
    std::printf("q%d: %zu events -> %zu rows in %.3f s (%s)\n", q, c.events.size(), count, seconds, path.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "";
  try {
    if (command == "generate") return generate(arguments(argc, argv));
    if (command == "validate") return validate(arguments(argc, argv));
    if (command == "run") return run(arguments(argc, argv));
    if (command == "reference") return reference(arguments(argc, argv));
    if (command == "-h" || command == "--help" || command == "help") {
      std::printf("%s\nThe generator: %s\n", usage_text, nx::generator_description().c_str());
      return 0;
    }
    throw usage_error(command.empty() ? "no command" : "unknown command '" + std::string(command) + "'");
  } catch (const usage_error& e) {
    std::fprintf(stderr, "nexmark: %s\n%s", e.what(), usage_text);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nexmark: %s\n", e.what());
    return 1;
  }
}
