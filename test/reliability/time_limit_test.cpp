// The largest timestamp, 2^64 - 1, means "empty frontier" (nothing more can arrive). It is
// never a record's time: every way to reach it is rejected or clamped to 2^64 - 2.
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <optional>
#include <string>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {
constexpr sw::timestamp reserved = std::numeric_limits<sw::timestamp>::max();
constexpr sw::timestamp largest = reserved - 1;

struct ev {
  int key;
  sw::timestamp t;
};

/// The counts summed over keys and times; every time must be at most the largest time.
template <class Counts>
std::uint64_t total_below_the_reserved_time(const Counts& counts) {
  std::uint64_t total = 0;
  for (const auto& item : counts.items()) {
    EXPECT_LE(item.time, largest);
    total += item.record.second;
  }
  return total;
}
}  // namespace

TEST(TimeLimit, AdvanceToTheReservedTimeIsAUsageError) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("edge");
  auto out = s.output();
  auto p = s.probe();
  EXPECT_THROW(in.advance_to(reserved), sw::usage_error) << "before the run";
  auto ex = rt.run(g);
  in.advance_to(largest);
  EXPECT_THROW(in.advance_to(reserved), sw::usage_error) << "during the run";
  in.send(9);
  in.flush();
  EXPECT_FALSE(p.done()) << "a record at the largest time is still unprocessed";
  auto r = out.pop(5s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->time, largest);
  EXPECT_FALSE(out.finished());
  in.close();
  ex.wait();
  EXPECT_TRUE(p.done());
  EXPECT_TRUE(p.is_complete(reserved)) << "once done, every time is complete";
  EXPECT_TRUE(out.finished());
}

TEST(TimeLimit, CapabilitiesCannotReachTheReservedTime) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  std::atomic<int> rejected{0};
  auto out = s.unary<int>("delayer", [&rejected](sw::operator_setup& setup) {
                setup.drop_initial_capability();
                return [&rejected](sw::unary_context<int, int>& ctx) {
                  ctx.input.for_each([&](sw::input_batch<int>& b) {
                    auto cap = b.retain();
                    try {
                      (void)cap.delayed(reserved);
                    } catch (const sw::usage_error&) {
                      ++rejected;
                    }
                    try {
                      cap.downgrade(reserved);
                    } catch (const sw::usage_error&) {
                      ++rejected;
                    }
                    auto last = cap.delayed(largest);
                    for (int v : b.records()) ctx.output.give(last, v);
                  });
                };
              }).collect();
  auto ex = rt.run(g);
  in.send(1);
  in.close();
  ASSERT_TRUE(ex.wait_for(10s));
  ex.wait();
  EXPECT_EQ(rejected.load(), 2);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out.items()[0].time, largest);
}

TEST(TimeLimit, EventTimeInputClampsItsWatermarkAndCompletes) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto [in, s] = sw::add_event_time_input<ev>(g, "events", [](const ev& e) { return e.t; }, {.partitions = 2});
  auto counts = s.key_by([](const ev& e) { return e.key; }, 2).count("per key").collect();
  auto ex = rt.run(g);
  in.send(0, {1, reserved});
  in.send(1, {1, reserved});
  EXPECT_LE(in.watermark(), largest);
  in.mark_idle(0);
  in.mark_idle(1);  // all idle: time goes to the largest event time + 1, clamped
  EXPECT_EQ(in.watermark(), largest);
  in.close();
  ASSERT_TRUE(ex.wait_for(10s)) << "a record at the reserved time never completed";
  ex.wait();
  EXPECT_EQ(total_below_the_reserved_time(counts), 2u);
}

TEST(TimeLimit, EventTimeSourceStopsBelowTheReservedTime) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto s = sw::add_event_time_source(
      g, "events", 2,
      [](std::size_t index, std::size_t) {
        return [index, i = 0]() mutable -> std::optional<ev> {
          if (i == 3) return std::nullopt;
          ++i;
          return ev{static_cast<int>(index), i == 3 ? reserved : static_cast<sw::timestamp>(i)};
        };
      },
      [](const ev& e) { return e.t; }, 0);
  auto counts = s.key_by([](const ev& e) { return e.key; }, 2).count("per key").collect();
  auto ex = rt.run(g);
  ASSERT_TRUE(ex.wait_for(10s)) << "a record at the reserved time never completed";
  ex.wait();
  EXPECT_EQ(total_below_the_reserved_time(counts), 6u);
}
