// The `nexmark` tool (run it through tools/nexmark, which builds it first):
//
//   nexmark generate -n N [--rate R] [--seed S] [--base-time MS] [--no-extra]
//                    [--max-delay-ms K --delay-prob P [--delay-kinds B|PAB]]
//                    [--watermark-every M] -o FILE
//   nexmark validate FILE      reads FILE, checks every rule of nexmark-csv v1, prints counts
//   nexmark reference --query qN|all --events FILE --out DIR
//                              writes DIR/qN.csv from the sequential reference queries, sorted
//                              bytewise as the expected files are
//
// Errors go to stderr with exit status 1 (bad data) or 2 (bad arguments).
#include "nexmark/csv_reader.hpp"
#include "nexmark/generator.hpp"
#include "nexmark/reference_queries.hpp"

#include <algorithm>
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
  std::filesystem::create_directories(out_dir);
  for (const int q : queries) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> rows = nx::reference_rows(q, c.events);
    std::sort(rows.begin(), rows.end());
    const std::string path = out_dir + "/q" + std::to_string(q) + ".csv";
    std::ofstream out(path, std::ios::binary);
    for (const std::string& r : rows) out << r << '\n';
    out.close();
    if (!out) throw std::runtime_error(path + ": write failed");
    std::printf("q%d: %zu events -> %zu rows in %.3f s (%s)\n", q, c.events.size(), rows.size(), seconds_since(t0), path.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "";
  try {
    if (command == "generate") return generate(arguments(argc, argv));
    if (command == "validate") return validate(arguments(argc, argv));
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
