// Event-time generator sources: every record is stamped with its instance's bounded-disorder
// watermark, per record or per batch (checked against sequential simulations of both rules),
// and windows over such a source see no late record while the disorder stays within the bound.
#include <streamweave/streamweave.hpp>

#include "support/seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <vector>

namespace sw = streamweave;

namespace {

struct ev {
  std::size_t instance;
  int key;
  sw::timestamp t;
  friend bool operator==(const ev&, const ev&) = default;
};

/// Per instance, `n` events with times drifting upwards and out of order by up to `disorder`
/// (and, when `stragglers`, now and then by much more).
std::vector<std::vector<ev>> make_events(std::uint64_t seed, std::size_t instances, std::size_t n, sw::timestamp disorder, bool stragglers) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<ev>> out(instances);
  for (std::size_t i = 0; i < instances; ++i) {
    sw::timestamp high = 0;
    for (std::size_t k = 0; k < n; ++k) {
      high += rng() % 4;
      sw::timestamp behind = disorder == 0 ? 0 : rng() % (disorder + 1);
      if (stragglers && rng() % 10 == 0) behind = disorder + 1 + rng() % 20;
      out[i].push_back({i, static_cast<int>(rng() % 3), high > behind ? high - behind : 0});
    }
  }
  return out;
}

/// The batch time the rule gives each event of one instance, in order.
std::vector<sw::timestamp> expected_times(const std::vector<ev>& events, sw::timestamp disorder) {
  std::vector<sw::timestamp> out;
  sw::timestamp watermark = 0;
  for (const auto& e : events) {
    watermark = std::max(watermark, e.t > disorder ? e.t - disorder : 0);
    out.push_back(watermark);
  }
  return out;
}

/// The batch time of each event of one instance with a per-batch watermark: events go in
/// batches of `batch_size`, each stamped with the watermark after every event before it.
std::vector<sw::timestamp> expected_per_batch_times(const std::vector<ev>& events, sw::timestamp disorder, std::size_t batch_size) {
  std::vector<sw::timestamp> out;
  sw::timestamp watermark = 0, next = 0;
  for (std::size_t k = 0; k < events.size(); ++k) {
    if (k % batch_size == 0) watermark = next;
    out.push_back(watermark);
    next = std::max(next, events[k].t > disorder ? events[k].t - disorder : 0);
  }
  return out;
}

sw::stream<ev> source_of(sw::graph& g, std::shared_ptr<const std::vector<std::vector<ev>>> events, sw::timestamp disorder,
                         sw::source_watermark watermark = sw::source_watermark::per_record) {
  return sw::add_event_time_source(
      g, "events", events->size(),
      [events](std::size_t index, std::size_t) {
        return [events, index, k = std::size_t{0}]() mutable -> std::optional<ev> {
          if (k == (*events)[index].size()) return std::nullopt;
          return (*events)[index][k++];
        };
      },
      [](const ev& e) { return e.t; }, sw::event_time_source_options{.max_disorder = disorder, .watermark = watermark});
}

class EventTimeSource : public ::testing::TestWithParam<std::size_t> {
 protected:
  sw::runtime_options options() const {
    sw::runtime_options o;
    o.threads = GetParam();
    o.batch_size = 5;
    o.queue_capacity = 2;
    return o;
  }
};

}  // namespace

TEST_P(EventTimeSource, StampsEveryRecordWithItsInstancesWatermark) {
  for (std::size_t run = 0; run < 20; ++run) {
    const std::uint64_t seed = sw::testing::seed_for(run);
    const sw::timestamp disorder = seed % 7;
    auto events = std::make_shared<const std::vector<std::vector<ev>>>(make_events(seed, 3, 200, disorder, true));
    sw::runtime rt(options());
    sw::graph g("event-time source");
    auto got = source_of(g, events, disorder).collect("sink");
    rt.run(g).wait();
    std::vector<std::vector<sw::timed<ev>>> per_instance(events->size());
    for (const auto& it : got.items()) per_instance[it.record.instance].push_back(it);
    for (std::size_t i = 0; i < events->size(); ++i) {
      const auto times = expected_times((*events)[i], disorder);
      ASSERT_EQ(per_instance[i].size(), times.size()) << sw::testing::seed_note(seed);
      for (std::size_t k = 0; k < times.size(); ++k) {
        ASSERT_EQ(per_instance[i][k].record, (*events)[i][k]) << "instance order kept; " << sw::testing::seed_note(seed);
        ASSERT_EQ(per_instance[i][k].time, times[k]) << "record " << k << " of instance " << i << "; " << sw::testing::seed_note(seed);
      }
    }
  }
}

TEST_P(EventTimeSource, PerBatchWatermarkStampsFullBatchesWithTheWatermarkBeforeThem) {
  for (std::size_t run = 0; run < 20; ++run) {
    const std::uint64_t seed = sw::testing::seed_for(run, 5150);
    const sw::timestamp disorder = seed % 7;
    auto events = std::make_shared<const std::vector<std::vector<ev>>>(make_events(seed, 3, 203, disorder, true));
    sw::runtime rt(options());
    sw::graph g("event-time source, per-batch watermark");
    auto got = source_of(g, events, disorder, sw::source_watermark::per_batch).collect("sink");
    rt.run(g).wait();
    std::vector<std::vector<sw::timed<ev>>> per_instance(events->size());
    for (const auto& it : got.items()) per_instance[it.record.instance].push_back(it);
    for (std::size_t i = 0; i < events->size(); ++i) {
      const auto times = expected_per_batch_times((*events)[i], disorder, options().batch_size);
      ASSERT_EQ(per_instance[i].size(), times.size()) << sw::testing::seed_note(seed);
      for (std::size_t k = 0; k < times.size(); ++k) {
        ASSERT_EQ(per_instance[i][k].record, (*events)[i][k]) << "instance order kept; " << sw::testing::seed_note(seed);
        ASSERT_EQ(per_instance[i][k].time, times[k]) << "record " << k << " of instance " << i << "; " << sw::testing::seed_note(seed);
      }
    }
  }
}

TEST_P(EventTimeSource, WindowsSeeNoLateRecordWithinTheDisorderBound) {
  for (const auto watermark : {sw::source_watermark::per_record, sw::source_watermark::per_batch}) {
    constexpr sw::timestamp disorder = 6, size = 10;
    auto events = std::make_shared<const std::vector<std::vector<ev>>>(make_events(sw::testing::seed_for(0), 2, 500, disorder, false));
    sw::runtime rt(options());
    sw::graph g("windows over an event-time source");
    auto counts = source_of(g, events, disorder, watermark)
                      .key_by([](const ev& e) { return e.key; }, 2)
                      .window(sw::tumbling_windows(size), [](const ev& e) { return e.t; })
                      .count("count");
    auto got = counts.output.collect("counts");
    auto late = counts.late.collect("late");
    rt.run(g).wait();
    std::map<std::pair<int, sw::timestamp>, std::uint64_t> expected, actual;
    for (const auto& per_instance : *events)
      for (const auto& e : per_instance) ++expected[{e.key, e.t / size * size}];
    for (const auto& r : got.records()) actual[{r.key, r.window.start}] += r.value;
    EXPECT_EQ(actual, expected);
    EXPECT_EQ(late.records().size(), 0u);
    EXPECT_EQ(counts.stats.late_records(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, EventTimeSource, ::testing::Values(1, 2, 4));
