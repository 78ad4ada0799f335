// oneTBB applies the smallest max_allowed_parallelism of all live global_control objects. A
// runtime must still get the workers it asks for when an earlier runtime asked for fewer, and
// must say so when a host's own smaller limit caps it.
#include <streamweave/streamweave.hpp>

#include <oneapi/tbb/global_control.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {
/// Runs `n` parallel sink instances that each wait (up to 3 s) until all `n` are inside at the
/// same time; returns how many were inside together at best.
std::size_t concurrent_instances(sw::runtime& rt, std::size_t n) {
  std::atomic<std::size_t> inside{0}, best{0};
  sw::graph g;
  auto s = g.source_from("keys", [n] {
    std::vector<std::size_t> v;
    for (std::size_t i = 0; i < 64 * n; ++i) v.push_back(i);
    return v;
  }());
  s.exchange([](std::size_t x) { return x; }, n)
      .sink("rendezvous", [&](sw::operator_setup&) {
        return [&, first = true](std::size_t) mutable {
          if (!first) return;
          first = false;
          const std::size_t now = inside.fetch_add(1) + 1;
          std::size_t b = best.load();
          while (now > b && !best.compare_exchange_weak(b, now)) {
          }
          const auto until = std::chrono::steady_clock::now() + 3s;
          while (inside.load() < n && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
          b = best.load();
          for (std::size_t seen = inside.load(); seen > b && !best.compare_exchange_weak(b, seen);) {
          }
          // Stay until every instance that got a worker left the wait: leaving early would let a
          // worker run a second instance and count twice.
          std::this_thread::sleep_for(10ms);
          inside.fetch_sub(1);
        };
      });
  rt.run(g).wait();
  return best.load();
}
}  // namespace

// Point 14: runtime(threads = 3) and then runtime(threads = 6): the second gets 6 workers.
TEST(Workers, ALaterRuntimeWithMoreThreadsGetsThem) {
  sw::runtime small(sw::runtime_options{.threads = 3});
  sw::runtime big(sw::runtime_options{.threads = 6});
  EXPECT_EQ(concurrent_instances(big, 6), 6u) << "the smaller runtime's worker limit capped the larger one";
  EXPECT_EQ(concurrent_instances(small, 3), 3u);
}

TEST(Workers, AHostLimitBelowTheRuntimeIsReported) {
  std::ostringstream captured;
  auto host = std::make_shared<spdlog::logger>("streamweave", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  host->set_level(spdlog::level::warn);
  sw::set_logger(host);
  {
    tbb::global_control host_limit(tbb::global_control::max_allowed_parallelism, 2);
    sw::runtime rt(sw::runtime_options{.threads = 4});
  }
  host->flush();
  sw::set_logger(nullptr);
  const std::string log = captured.str();
  EXPECT_NE(log.find("max_allowed_parallelism"), std::string::npos) << log;
  EXPECT_NE(log.find("4 worker threads get at most 1"), std::string::npos) << log;
}
