// Several threads share one input (copies of one handle) with interleaved send, send(span),
// try_send, flush, advance_to and close, while a watcher thread reads a probe at the sink:
//   - every time the probe reports complete must already have all of its records at the sink
//     (checked continuously by the watcher against the final counts, and directly by the sink,
//     which must never see a record at a time the probe had already passed);
//   - no accepted record is lost or duplicated;
//   - an advance_to that returned is never undone (time() stays at or above it).
// Ordinary and deterministic runs, 1-4 worker threads, 2-8 senders.
// Replay a seed with STREAMWEAVE_SEED=<seed>; explore with STREAMWEAVE_SEED_BASE / _RUNS.
#include <streamweave/streamweave.hpp>

#include "support/seed.hpp"
#include "support/watchdog.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_times = 4096;

struct counts {
  std::unique_ptr<std::atomic<std::uint64_t>[]> at = std::make_unique<std::atomic<std::uint64_t>[]>(max_times);
};

void run_one(std::uint64_t seed) {
  SCOPED_TRACE(sw::testing::seed_note(seed));
  sw::testing::watchdog dog("InputStress " + sw::testing::seed_note(seed), 120s);
  std::mt19937_64 rng(seed);
  sw::runtime_options o;
  o.threads = 1 + rng() % 4;
  o.batch_size = 1 + rng() % 8;
  o.queue_capacity = 1 + rng() % 3;
  o.deterministic = rng() % 4 == 0;
  const std::size_t senders = 2 + rng() % 7;
  const std::size_t instances = 1 + rng() % 3;

  sw::runtime rt(o);
  sw::graph g("stress");
  auto [in, s] = g.input<std::uint32_t>("shared");
  const sw::stream<std::uint32_t> mapped = s.exchange([](std::uint32_t v) { return v; }, instances)
                                               .map([](std::uint32_t v) { return v ^ 1u; }, "flip");
  auto probe = mapped.probe();
  counts sink;
  std::atomic<std::uint64_t> received{0};
  std::atomic<int> early{0};
  mapped.for_each(
      [&](sw::timestamp t, std::uint32_t) {
        if (probe.frontier() > t) early.fetch_add(1);  // its batch still holds the frontier at t
        sink.at[std::min<sw::timestamp>(t, max_times - 1)].fetch_add(1, std::memory_order_release);
        received.fetch_add(1, std::memory_order_relaxed);
      },
      "sink");
  auto ex = rt.run(g);

  // The watcher: the first time it sees t complete, it notes how many records of t had
  // arrived; they must already be all of them.
  std::vector<std::uint64_t> seen_complete(max_times, ~std::uint64_t{0});
  std::atomic<bool> stop{false};
  std::thread watcher([&] {
    sw::timestamp checked = 0;  // times < checked are noted
    while (!stop.load()) {
      const sw::timestamp f = std::min<sw::timestamp>(probe.frontier(), max_times);
      for (; checked < f; ++checked) seen_complete[checked] = sink.at[checked].load(std::memory_order_acquire);
      std::this_thread::yield();
    }
  });

  std::atomic<std::uint64_t> accepted{0};
  std::atomic<int> regressions{0};
  std::atomic<std::size_t> closer_turn{rng() % (senders * 400)};
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < senders; ++k) {
    const std::uint64_t thread_seed = rng();
    threads.emplace_back([&, k, thread_seed] {
      std::mt19937_64 r(thread_seed);
      auto h = in;  // a copy: all copies share one input
      try {
        for (std::size_t step = 0; step < 400; ++step) {
          if (closer_turn.fetch_sub(1) == 0) {
            h.close();  // every other copy's next send throws usage_error
            return;
          }
          const auto v = static_cast<std::uint32_t>(k << 16 | step);
          switch (r() % 8) {
            case 0: {
              const sw::timestamp t = h.time() + r() % 3;
              if (t >= max_times - 1) break;
              try {
                h.advance_to(t);
                if (h.time() < t) regressions.fetch_add(1);
              } catch (const sw::usage_error&) {
                if (h.time() < t) throw;  // only "another copy got further first" is expected
              }
              break;
            }
            case 1: {
              std::vector<std::uint32_t> span(r() % 5, v);
              h.send(span);
              accepted.fetch_add(span.size());
              break;
            }
            case 2:
              if (h.try_send(v)) accepted.fetch_add(1);
              break;
            case 3:
              h.flush();
              break;
            default:
              h.send(v);
              accepted.fetch_add(1);
          }
        }
      } catch (const sw::usage_error& e) {
        // After another copy's close(): send, flush and advance_to throw usage_error.
        if (std::string(e.what()).find("after close") == std::string::npos) ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  in.close();
  const bool over = ex.wait_for(60s);
  stop = true;
  watcher.join();
  ASSERT_TRUE(over) << "the run did not complete";
  ex.wait();

  EXPECT_EQ(regressions.load(), 0) << "time() fell below an advance_to that had returned";
  EXPECT_EQ(early.load(), 0) << "the sink got records at times the probe had already reported complete";
  EXPECT_EQ(received.load(), accepted.load()) << "records lost or duplicated";
  for (std::size_t t = 0; t < max_times; ++t) {
    if (seen_complete[t] == ~std::uint64_t{0}) continue;
    const std::uint64_t final_count = sink.at[t].load();
    if (seen_complete[t] != final_count) {
      ADD_FAILURE() << "time " << t << " was reported complete with " << seen_complete[t] << " of its " << final_count
                    << " records at the sink";
      break;
    }
  }
}

}  // namespace

TEST(InputStress, SharedInputKeepsProbesSafeAndLosesNothing) {
  for (std::size_t i = 0; i < sw::testing::runs(100); ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i, 4242);
    run_one(seed);
    if (::testing::Test::HasFailure()) {
      std::fprintf(stderr, "InputStress failed: %s\n", sw::testing::seed_note(seed).c_str());
      break;
    }
  }
}
