// streamweave_soak: runs the random fault workload (test/support/fault_workload.hpp: random
// graphs hit by throwing operators, cancels and destroyed executions) seed after seed, and
// prints every interval how many runs it did and the process's resident memory (and its
// anonymous part), the heap in use (malloc's live bytes), open file descriptors and threads.
// After the first interval (the warm-up), these must stay flat.
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
#include <malloc.h>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace sw = streamweave;
using clock_type = std::chrono::steady_clock;

struct usage_sample {
  double seconds = 0;
  std::size_t runs = 0;
  std::size_t rss_kib = 0;
  std::size_t anon_kib = 0;  // the anonymous part of RSS: heap, stacks, mappings (not code)
  std::size_t heap_kib = 0;  // allocated and not freed (glibc's mallinfo2), 0 where unknown
  std::size_t fds = 0;
  std::size_t threads = 0;
};

/// Bytes the program holds through malloc: what a leak grows, unlike RSS, which also keeps
/// what the allocator cached.
std::size_t heap_in_use_kib() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 m = mallinfo2();
  return (m.uordblks + m.hblkhd) / 1024;
#else
  return 0;
#endif
}

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
#if defined(__GLIBC__)
  // Give the allocator's free memory back first (every per-thread arena), so that RSS shows
  // what the program holds rather than what malloc keeps cached for threads long gone.
  malloc_trim(0);
#endif
  return {std::chrono::duration<double>(clock_type::now() - start).count(), runs, status_field("VmRSS"),
          status_field("RssAnon"), heap_in_use_kib(), open_descriptors(), status_field("Threads")};
}

void print(const char* label, const usage_sample& s, const std::map<std::string, std::size_t>& outcomes) {
  std::printf("%-10s %6.1f s %7zu runs  rss %6.1f MiB (anon %6.1f)  heap %6.1f MiB  fds %3zu  threads %3zu ", label,
              s.seconds, s.runs, static_cast<double>(s.rss_kib) / 1024.0, static_cast<double>(s.anon_kib) / 1024.0,
              static_cast<double>(s.heap_kib) / 1024.0, s.fds, s.threads);
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

/// glibc keeps the stacks of exited threads (up to 40 MiB) and one malloc arena per thread
/// that ever allocated, so a workload that starts threads all the time grows RSS slowly while
/// nothing leaks (seen: RSS 10 -> 15 MiB in 2 minutes, heap in use flat at 0.6 MiB). The soak
/// runs itself again with both caches off, so that RSS measures what the program holds.
void exec_with_flat_allocator(char** argv) {
  if (std::getenv("STREAMWEAVE_SOAK_TUNED") != nullptr) return;
  setenv("STREAMWEAVE_SOAK_TUNED", "1", 1);
  setenv("GLIBC_TUNABLES", "glibc.pthread.stack_cache_size=0:glibc.malloc.arena_max=1", 1);
  execv("/proc/self/exe", argv);  // returns only on failure: then run as we are
}

int main(int argc, char** argv) {
  exec_with_flat_allocator(argv);
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
  const std::size_t heap_limit = warm.heap_kib + warm.heap_kib / 8 + 1024;
  const std::size_t fd_limit = warm.fds + 2, thread_limit = warm.threads + 2;
  std::printf("tolerances after warm-up: rss <= %.1f MiB, heap <= %.1f MiB, fds <= %zu, threads <= %zu\n",
              static_cast<double>(rss_limit) / 1024.0, static_cast<double>(heap_limit) / 1024.0, fd_limit, thread_limit);
  bool grew = false;
  if (!check_growth) {
    std::printf("growth not checked (--no-growth-check)\n");
  } else {
    if (address_sanitizer) {
      std::printf("memory not checked: AddressSanitizer's quarantine keeps freed memory resident\n");
    } else {
      if (last.rss_kib > rss_limit) grew = true, std::printf("FAILED: resident memory grew\n");
      if (last.heap_kib > heap_limit) grew = true, std::printf("FAILED: heap in use grew\n");
    }
    if (last.fds > fd_limit) grew = true, std::printf("FAILED: open file descriptors grew\n");
    if (last.threads > thread_limit) grew = true, std::printf("FAILED: threads grew\n");
  }
  std::printf("%s: %zu runs in %.0f s\n", grew ? "FAILED" : "ok", runs, last.seconds);
  return grew ? 1 : 0;
}
