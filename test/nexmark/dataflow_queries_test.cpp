// NEXMark Q0-Q8 on StreamWeave (docs/examples/nexmark): exact on both samples at 1, 2 and 4
// threads and in deterministic mode, through a source and through an event-time input, and
// equal to the sequential reference on 50 generated inputs per query with disorder (random
// rates, delay probabilities, W lines, threads, instances, partitions and batch sizes). Seeds
// are printed; replay with STREAMWEAVE_SEED=<seed>.
#include "nexmark/csv_reader.hpp"
#include "nexmark/dataflow_run.hpp"
#include "nexmark/generator.hpp"
#include "nexmark/reference_queries.hpp"
#include "support/nexmark_samples.hpp"
#include "support/seed.hpp"

#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace nx = streamweave::nexmark;

namespace {

std::vector<std::string> sorted(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<std::string> expected_rows(const std::string& sample, int q) {
  std::ifstream in(streamweave::testing::nexmark_sample_path(sample, "expected/q" + std::to_string(q) + ".csv"));
  EXPECT_TRUE(in) << "missing expected file for " << sample << " q" << q;
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(line);
  return rows;
}

/// The first row where two sorted row lists differ, for a readable failure.
std::string first_difference(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  const auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
  return "got " + std::to_string(got.size()) + " rows, want " + std::to_string(want.size()) + "; first difference: got '" +
         (g == got.end() ? std::string("<end>") : *g) + "', want '" + (w == want.end() ? std::string("<end>") : *w) + "'";
}

class NexmarkDataflow : public ::testing::TestWithParam<int> {};

/// Generated inputs per query: 50, and 10 under the sanitizers, which run every query 5-15x
/// slower (the dev build runs all 50; STREAMWEAVE_RUNS overrides both).
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::size_t generated_inputs = 10;
#else
constexpr std::size_t generated_inputs = 50;
#endif

}  // namespace

TEST_P(NexmarkDataflow, MatchesBothSamplesAtOneTwoAndFourThreadsAndDeterministic) {
  STREAMWEAVE_SKIP_WITHOUT_NEXMARK_SAMPLES();
  const int q = GetParam();
  for (const char* sample : {"tiny", "small-ooo"}) {
    const nx::csv_contents c = nx::read_file(streamweave::testing::nexmark_sample_path(sample, "events.csv"));
    ASSERT_TRUE(c.max_delay_ms.has_value());
    const std::vector<std::string> want = expected_rows(sample, q);
    for (const bool deterministic : {false, true})
      for (const std::size_t threads : {1, 2, 4}) {
        if (deterministic && threads != 1) continue;
        SCOPED_TRACE(std::string(sample) + " threads=" + std::to_string(threads) + (deterministic ? " deterministic" : ""));
        nx::dataflow_options o;
        o.threads = threads;
        o.deterministic = deterministic;
        std::vector<nx::event> in = c.events;
        const std::vector<std::string> got = sorted(nx::run_dataflow(q, in, *c.max_delay_ms, o));
        EXPECT_TRUE(got == want) << first_difference(got, want);
      }
  }
}

TEST_P(NexmarkDataflow, EqualsTheSequentialReferenceOnGeneratedInputsWithDisorder) {
  const int q = GetParam();
  for (const std::uint64_t seed : streamweave::testing::seeds(9100, generated_inputs)) {
    SCOPED_TRACE(streamweave::testing::seed_note(seed));
    std::mt19937_64 pick(seed);
    nx::generator_config c;
    c.seed = seed;
    c.rate = std::vector<std::uint64_t>{100, 1'000, 10'000, 100'000, 1'000'000}[pick() % 5];
    c.extra = false;
    nx::disorder_config d;
    d.delay_prob = static_cast<double>(pick() % 51) / 100.0;
    d.max_delay_ms = d.delay_prob > 0 ? 1 + static_cast<std::int64_t>(pick() % 3000) : static_cast<std::int64_t>(pick() % 2);
    d.watermark_every = pick() % 2 == 0 ? 0 : 1 + pick() % 500;
    nx::dataflow_options o;
    o.threads = 1 + pick() % 4;
    o.parallelism = 1 + pick() % 4;
    o.partitions = 1 + pick() % 4;
    o.batch_size = std::vector<std::size_t>{1, 7, 64, 1024}[pick() % 4];
    const std::uint64_t count = 500 + pick() % 3000;
    SCOPED_TRACE("rate=" + std::to_string(c.rate) + " K=" + std::to_string(d.max_delay_ms) + " p=" + std::to_string(d.delay_prob) +
                 " W=" + std::to_string(d.watermark_every) + " events=" + std::to_string(count) + " threads=" +
                 std::to_string(o.threads) + " parallelism=" + std::to_string(o.parallelism) + " partitions=" +
                 std::to_string(o.partitions) + " batch=" + std::to_string(o.batch_size));
    const bool through_input = pick() % 2 == 0;  // else through a partitioned source
    SCOPED_TRACE(through_input ? "fed through an event-time input, W lines as watermarks" : "from a partitioned source");
    std::stringstream file;
    nx::write_csv(nx::generator(c), count, d, file);
    const std::string text = file.str();
    std::istringstream for_reference(text);
    nx::csv_contents events = nx::read_all(for_reference, "generated");
    const std::vector<std::string> want = sorted(nx::reference_rows(q, events.events));
    std::istringstream for_input(text);
    const std::vector<std::string> got = sorted(through_input ? nx::run_from_csv(q, for_input, "generated", o)
                                                              : nx::run_dataflow(q, events.events, d.max_delay_ms, o));
    ASSERT_TRUE(got == want) << first_difference(got, want);
  }
}

TEST_P(NexmarkDataflow, GeneratedInsideTheGraphEqualsTheReferenceOverTheSameEvents) {
  const int q = GetParam();
  for (const std::uint64_t seed : streamweave::testing::seeds(9300, 4)) {
    SCOPED_TRACE(streamweave::testing::seed_note(seed));
    nx::generator_config c;
    c.seed = seed;
    c.rate = seed % 2 == 0 ? 1'000 : 1'000'000;
    const nx::generator gen(c);
    std::vector<nx::event> events;
    for (std::uint64_t n = 0; n < 4000; ++n) events.push_back(gen.at(n));
    nx::dataflow_options o;
    o.threads = 1 + seed % 3;
    o.partitions = 1 + seed % 4;
    const std::vector<std::string> want = sorted(nx::reference_rows(q, events));
    const std::vector<std::string> got = sorted(nx::run_generated(q, gen, events.size(), o));
    ASSERT_TRUE(got == want) << first_difference(got, want);
  }
}

TEST(NexmarkDataflowInput, SamplesFedThroughAnEventTimeInputMatchTheExpectedRows) {
  STREAMWEAVE_SKIP_WITHOUT_NEXMARK_SAMPLES();
  for (const char* sample : {"tiny", "small-ooo"})
    for (int q = 0; q < 9; ++q) {
      SCOPED_TRACE(std::string(sample) + " q" + std::to_string(q));
      std::ifstream in(streamweave::testing::nexmark_sample_path(sample, "events.csv"));
      nx::dataflow_options o;
      o.threads = 2;
      nx::csv_feed_stats fed;
      const std::vector<std::string> got = sorted(nx::run_from_csv(q, in, sample, o, &fed));
      const std::vector<std::string> want = expected_rows(sample, q);
      EXPECT_TRUE(got == want) << first_difference(got, want);
      EXPECT_EQ(fed.watermarks, std::string(sample) == "tiny" ? 0u : 40u);
    }
}

TEST(NexmarkDataflowInput, AMalformedLineStopsTheRunWithItsPosition) {
  std::string text = "# max_delay_ms=0\n";
  for (int i = 0; i < 3000; ++i) text += "B,1,2,3,c,u," + std::to_string(1000 + i) + ",\n";
  text += "B,1,2,three,c,u,5000,\n";
  std::istringstream in(text);
  try {
    nx::run_from_csv(5, in, "broken.csv", {});
    FAIL() << "no error";
  } catch (const nx::parse_error& e) {
    EXPECT_EQ(e.line(), 3002u);
    EXPECT_EQ(e.field(), "price");
  }
}

TEST(NexmarkDataflowInput, NegativeTimesAreRejectedNamingTheEvent) {
  std::vector<nx::event> events{nx::bid{1, 2, 3, "c", "u", 5, ""}, nx::bid{1, 2, 3, "c", "u", -5, ""}};
  try {
    nx::run_dataflow(0, events, 0, {});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("event 1 has a negative time (-5)"), std::string::npos) << e.what();
  }
}

TEST(NexmarkDataflowInput, AnEventBeyondTheDisorderBoundFailsTheRunInsteadOfVanishing) {
  // The second bid is 20 s older than the first with a bound of 0: late for its window. (One
  // record per batch: the source moves its watermark between batches.)
  std::vector<nx::event> events{nx::bid{1, 2, 3, "c", "u", 100'000, ""}, nx::bid{1, 2, 4, "c", "u", 80'000, ""}};
  nx::dataflow_options o;
  o.partitions = 1;
  o.batch_size = 1;
  try {
    nx::run_dataflow(7, events, 0, o);
    FAIL() << "no error";
  } catch (const streamweave::operator_error& e) {
    EXPECT_EQ(e.node_name(), "q7 late records");
    try {
      std::rethrow_if_nested(e);
    } catch (const std::runtime_error& cause) {
      EXPECT_NE(std::string(cause.what()).find("q7: a late record at event time 80000"), std::string::npos) << cause.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Queries, NexmarkDataflow, ::testing::Range(0, 9), [](const auto& info) {
  return "Q" + std::to_string(info.param);
});
