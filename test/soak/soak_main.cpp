// streamweave_soak: runs the random fault workload (test/support/fault_workload.hpp: random
// graphs hit by throwing operators, cancels and destroyed executions) seed after seed, and
// prints every interval how many runs it did and the process's resident memory, open file
// descriptors and threads. After the first interval (the warm-up), these must stay flat.
//
//   streamweave_soak [--minutes M | --seconds S] [--interval S] [--seed N] [--no-growth-check]
//
// Exits 0 when every run kept its promises and nothing grew; 1 with the seed when a run broke
// a promise (replay it with `STREAMWEAVE_SEED=<seed> reliability_fault_dag_test`), or when
// memory, descriptors or threads grew past the tolerances printed at the end; 2 on bad usage.
// `--no-growth-check` (ctest's short smoke run) and AddressSanitizer builds (whose quarantine
// keeps freed memory resident on purpose) skip the memory part of the growth check.
// `tools/soak` builds and runs it; `tools/test`, and so CI, runs it for 2 minutes.
#include "support/fault_workload.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

namespace sw = streamweave;
using clock_type = std::chrono::steady_clock;

struct usage_sample {
  double seconds = 0;
  std::size_t runs = 0;
  std::size_t rss_kib = 0;
  std::size_t fds = 0;
  std::size_t threads = 0;
};

/// A "Name:   value" field of /proc/self/status.
std::size_t status_field(const std::string& name) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(name + ":", 0) == 0) return std::strtoull(line.c_str() + name.size() + 1, nullptr, 10);
  return 0;
}

std::size_t open_descriptors() {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    ++n;
  return n;
}

usage_sample sample(clock_type::time_point start, std::size_t runs) {
  return {std::chrono::duration<double>(clock_type::now() - start).count(), runs, status_field("VmRSS"),
          open_descriptors(), status_field("Threads")};
}

void print(const char* label, const usage_sample& s, const std::map<std::string, std::size_t>& outcomes) {
  std::printf("%-10s %7.1f s  %7zu runs  rss %8.1f MiB  fds %4zu  threads %3zu ", label, s.seconds, s.runs,
              static_cast<double>(s.rss_kib) / 1024.0, s.fds, s.threads);
  for (const auto& [outcome, n] : outcomes) std::printf(" %s %zu", outcome.c_str(), n);
  std::printf("\n");
  std::fflush(stdout);
}

int usage() {
  std::fprintf(stderr,
               "usage: streamweave_soak [--minutes M | --seconds S] [--interval S] [--seed N] [--no-growth-check]\n");
  return 2;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool address_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool address_sanitizer = true;
#else
constexpr bool address_sanitizer = false;
#endif
#else
constexpr bool address_sanitizer = false;
#endif

}  // namespace

int main(int argc, char** argv) {
  double seconds = 120, interval = 60;
  std::uint64_t seed = 1;
  bool check_growth = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--no-growth-check") {
      check_growth = false;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    if (a == "--minutes") {
      seconds = 60 * std::strtod(v, nullptr);
    } else if (a == "--seconds") {
      seconds = std::strtod(v, nullptr);
    } else if (a == "--interval") {
      interval = std::strtod(v, nullptr);
    } else if (a == "--seed") {
      seed = std::strtoull(v, nullptr, 10);
    } else {
      return usage();
    }
  }
  if (seconds <= 0 || interval <= 0) return usage();
  if (interval > seconds) interval = seconds;
  sw::set_logger(nullptr);  // every injected fault would log an error line

  const auto start = clock_type::now();
  const auto end = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
  std::map<std::string, std::size_t> outcomes;
  std::vector<usage_sample> samples;
  print("start", sample(start, 0), outcomes);
  std::size_t runs = 0;
  auto next_report = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(interval));
  while (clock_type::now() < end) {
    const auto r = sw::testing::fault_workload::run_fault_workload(seed);
    ++runs;
    ++outcomes[r.outcome.substr(0, r.outcome.find(':'))];
    if (!r.problems.empty()) {
      for (const auto& p : r.problems) std::printf("FAILED: %s: %s\n", sw::testing::seed_note(seed).c_str(), p.c_str());
      return 1;
    }
    ++seed;
    if (clock_type::now() >= next_report) {
      samples.push_back(sample(start, runs));
      print(samples.size() == 1 ? "warmed up" : "interval", samples.back(), outcomes);
      next_report += std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(interval));
    }
  }
  samples.push_back(sample(start, runs));
  print("end", samples.back(), outcomes);

  // Flat after the warm-up: allocators keep what they once needed, and oneTBB keeps the worker
  // threads it once started, so growth is judged from the first interval's sample on.
  const usage_sample& warm = samples.front();
  const usage_sample& last = samples.back();
  const std::size_t rss_limit = warm.rss_kib + warm.rss_kib / 8 + 4 * 1024;
  const std::size_t fd_limit = warm.fds + 2, thread_limit = warm.threads + 2;
  std::printf("tolerances after warm-up: rss <= %.1f MiB, fds <= %zu, threads <= %zu\n", static_cast<double>(rss_limit) / 1024.0,
              fd_limit, thread_limit);
  bool grew = false;
  if (!check_growth) {
    std::printf("growth not checked (--no-growth-check)\n");
  } else {
    if (address_sanitizer)
      std::printf("resident memory not checked: AddressSanitizer's quarantine keeps freed memory resident\n");
    else if (last.rss_kib > rss_limit)
      grew = true, std::printf("FAILED: resident memory grew\n");
    if (last.fds > fd_limit) grew = true, std::printf("FAILED: open file descriptors grew\n");
    if (last.threads > thread_limit) grew = true, std::printf("FAILED: threads grew\n");
  }
  std::printf("%s: %zu runs in %.0f s\n", grew ? "FAILED" : "ok", runs, last.seconds);
  return grew ? 1 : 0;
}
