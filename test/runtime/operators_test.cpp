// Every operator and sink, on small graphs, at 1, 2 and 4 threads.
#include <streamweave/streamweave.hpp>

#include "support/sequences.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <string>
#include <thread>

namespace sw = streamweave;

namespace {

using streamweave::testing::iota_vec;

using streamweave::testing::sorted;

class Operators : public ::testing::TestWithParam<std::size_t> {
 protected:
  sw::runtime_options options() const {
    sw::runtime_options o;
    o.threads = GetParam();
    o.batch_size = 7;  // small batches: many batch boundaries
    o.queue_capacity = 4;
    return o;
  }
};

}  // namespace

TEST_P(Operators, MapFilterFlatMapInspect) {
  sw::runtime rt(options());
  sw::graph g("ops");
  std::atomic<int> inspected{0};
  auto out = g.source_from("numbers", iota_vec(1000))
                 .map([](int x) { return x * 3; }, "times3")
                 .filter([](int x) { return x % 2 == 0; }, "even")
                 .flat_map([](int x) { return std::vector<int>{x, -x}; }, "twice")
                 .inspect([&](int) { inspected.fetch_add(1, std::memory_order_relaxed); }, "count")
                 .collect("sink");
  rt.run(g).wait();
  std::vector<int> expected;
  for (int x = 0; x < 1000; ++x)
    if ((x * 3) % 2 == 0) {
      expected.push_back(x * 3);
      expected.push_back(-x * 3);
    }
  EXPECT_EQ(sorted(out.records()), sorted(expected));
  EXPECT_EQ(inspected.load(), static_cast<int>(expected.size()));
}

TEST_P(Operators, MapChangesType) {
  sw::runtime rt(options());
  sw::graph g;
  auto out = g.source_from("n", iota_vec(20)).map([](int x) { return std::to_string(x); }).collect();
  rt.run(g).wait();
  auto got = out.records();
  ASSERT_EQ(got.size(), 20u);
  EXPECT_NE(std::find(got.begin(), got.end(), "19"), got.end());
}

TEST_P(Operators, FlatMapLargeExpansionSplitsBatches) {
  sw::runtime rt(options());
  sw::graph g;
  auto out = g.source_from("n", std::vector<int>{1, 2, 3})
                 .flat_map([](int x) { return std::vector<int>(static_cast<std::size_t>(x * 100), x); })
                 .collect();
  rt.run(g).wait();
  EXPECT_EQ(out.size(), 600u);
}

TEST_P(Operators, ConcatUnionsStreams) {
  sw::runtime rt(options());
  sw::graph g;
  auto a = g.source_from("a", std::vector<int>{1, 2, 3});
  auto b = g.source_from("b", std::vector<int>{10, 20});
  auto c = g.source_from("c", std::vector<int>{100});
  auto out = a.concat(b, c).collect();
  rt.run(g).wait();
  EXPECT_EQ(sorted(out.records()), (std::vector<int>{1, 2, 3, 10, 20, 100}));
}

TEST_P(Operators, FanOutEveryConsumerSeesEveryRecord) {
  sw::runtime rt(options());
  sw::graph g;
  auto s = g.source_from("n", iota_vec(500));
  auto doubled = s.map([](int x) { return 2 * x; }).collect("doubled");
  auto all = s.collect("all");
  std::atomic<long> sum{0};
  s.for_each([&](int x) { sum.fetch_add(x); }, "summer");
  rt.run(g).wait();
  EXPECT_EQ(sorted(all.records()), iota_vec(500));
  EXPECT_EQ(doubled.size(), 500u);
  EXPECT_EQ(sum.load(), 499L * 500 / 2);
}

TEST_P(Operators, ForEachWithTimeAndInputHandle) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  std::mutex m;
  std::map<sw::timestamp, int> per_time;
  s.for_each([&](sw::timestamp t, int x) {
    std::lock_guard lock(m);
    per_time[t] += x;
  });
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < 5; ++t) {
    for (int i = 0; i < 10; ++i) in.send(static_cast<int>(t));
    in.advance_to(t + 1);
  }
  in.close();
  ex.wait();
  for (sw::timestamp t = 0; t < 5; ++t) EXPECT_EQ(per_time[t], static_cast<int>(t) * 10);
}

TEST_P(Operators, ExchangeSendsEachRecordToItsKeysInstance) {
  sw::runtime rt(options());
  sw::graph g;
  constexpr std::size_t n = 4;
  auto seen = g.source_from("n", iota_vec(2000))
                  .exchange([](int x) { return x % 97; }, n)
                  .unary<std::pair<std::size_t, int>>("where", [](sw::operator_setup& setup) {
                    setup.drop_initial_capability();
                    const std::size_t me = setup.instance_index();
                    return [me](sw::unary_context<int, std::pair<std::size_t, int>>& ctx) {
                      ctx.input.for_each([&](sw::input_batch<int>& b) {
                        auto cap = b.retain();
                        for (int x : b.records()) ctx.output.give(cap, {me, x});
                      });
                    };
                  })
                  .collect();
  rt.run(g).wait();
  auto got = seen.records();
  ASSERT_EQ(got.size(), 2000u);
  std::set<int> values;
  for (auto [instance, x] : got) {
    EXPECT_EQ(instance, sw::exchange_destination(std::hash<int>{}(x % 97), n)) << "record " << x;
    values.insert(x);
  }
  EXPECT_EQ(values.size(), 2000u);  // exactly once
}

TEST_P(Operators, ParallelPipelineAfterExchangeMergesIntoOneSink) {
  sw::runtime rt(options());
  sw::graph g;
  auto out = g.source_from("n", iota_vec(3000))
                 .exchange([](int x) { return x; }, 3)
                 .map([](int x) { return x + 1; })
                 .filter([](int x) { return x % 3 != 0; })
                 .collect();
  rt.run(g).wait();
  std::vector<int> expected;
  for (int x = 0; x < 3000; ++x)
    if ((x + 1) % 3 != 0) expected.push_back(x + 1);
  EXPECT_EQ(sorted(out.records()), expected);
}

TEST_P(Operators, GenericUnaryCountsPerEpochWithNotifications) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto counts = s.unary<std::pair<sw::timestamp, std::size_t>>("count", [](sw::operator_setup& setup) {
                  setup.drop_initial_capability();
                  std::map<sw::timestamp, std::size_t> pending;
                  return [pending](sw::unary_context<int, std::pair<sw::timestamp, std::size_t>>& ctx) mutable {
                    ctx.input.for_each([&](sw::input_batch<int>& b) {
                      if (pending[b.time()] == 0) ctx.notify_at(b.retain());
                      pending[b.time()] += b.records().size();
                    });
                    ctx.for_each_notification([&](sw::capability& cap) {
                      ctx.output.give(cap, {cap.time(), pending[cap.time()]});
                      pending.erase(cap.time());
                    });
                  };
                }).collect();
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < 6; ++t) {
    for (std::size_t i = 0; i < t * 5 + 1; ++i) in.send(1);
    in.advance_to(t + 1);
  }
  in.close();
  ex.wait();
  auto items = counts.items();
  ASSERT_EQ(items.size(), 6u);
  for (const auto& item : items) {
    EXPECT_EQ(item.time, item.record.first);
    EXPECT_EQ(item.record.second, item.time * 5 + 1);
  }
}

TEST_P(Operators, GenericBinaryJoinsBothInputs) {
  sw::runtime rt(options());
  sw::graph g;
  auto [left_in, left] = g.input<int>("left");
  auto [right_in, right] = g.input<std::string>("right");
  using out_t = std::string;
  auto joined = left.binary<out_t>(right, "pair-up", [](sw::operator_setup& setup) {
                      setup.drop_initial_capability();
                      std::map<sw::timestamp, std::pair<int, std::string>> acc;
                      return [acc](sw::binary_context<int, std::string, out_t>& ctx) mutable {
                        ctx.input1.for_each([&](sw::input_batch<int>& b) {
                          ctx.notify_at(b.retain());
                          for (int x : b.records()) acc[b.time()].first += x;
                        });
                        ctx.input2.for_each([&](sw::input_batch<std::string>& b) {
                          ctx.notify_at(b.retain());
                          for (const auto& s : b.records()) acc[b.time()].second += s;
                        });
                        ctx.for_each_notification([&](sw::capability& cap) {
                          auto it = acc.find(cap.time());
                          if (it == acc.end()) return;  // several requests for one time
                          ctx.output.give(cap, std::to_string(it->second.first) + ":" + it->second.second);
                          acc.erase(it);
                        });
                      };
                    }).collect();
  auto ex = rt.run(g);
  std::thread t1([&] {
    for (sw::timestamp t = 0; t < 3; ++t) {
      left_in.send(static_cast<int>(t) + 1);
      left_in.send(10);
      left_in.advance_to(t + 1);
    }
    left_in.close();
  });
  std::thread t2([&] {
    for (sw::timestamp t = 0; t < 3; ++t) {
      right_in.send("x");
      right_in.advance_to(t + 1);
    }
    right_in.close();
  });
  t1.join();
  t2.join();
  ex.wait();
  auto by_time = joined.by_time();
  ASSERT_EQ(by_time.size(), 3u);
  EXPECT_EQ(by_time[0], std::vector<std::string>{"11:x"});
  EXPECT_EQ(by_time[1], std::vector<std::string>{"12:x"});
  EXPECT_EQ(by_time[2], std::vector<std::string>{"13:x"});
}

TEST_P(Operators, GeneratorSource) {
  sw::runtime rt(options());
  sw::graph g;
  auto out = g.source("gen", [i = 0]() mutable -> std::optional<int> {
                if (i == 100) return std::nullopt;
                return i++;
              }).collect();
  rt.run(g).wait();
  EXPECT_EQ(sorted(out.records()), iota_vec(100));
}

TEST_P(Operators, OutputHandlePullsFromAnotherThread) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto out = s.map([](int x) { return x + 1; }).output(16, "pull");
  auto ex = rt.run(g);
  std::thread producer([&in] {
    for (int i = 0; i < 500; ++i) in.send(i);
    in.close();
  });
  std::vector<int> got;
  while (auto item = out.pop(std::chrono::seconds(10))) got.push_back(item->record);
  producer.join();
  ex.wait();
  EXPECT_TRUE(out.finished());
  std::vector<int> expected(500);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(sorted(got), expected);
}

TEST_P(Operators, ProbeReportsCompletedEpochs) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  std::atomic<int> seen{0};
  auto mapped = s.map([](int x) { return x; });
  auto p = mapped.probe();
  mapped.for_each([&](int) { seen.fetch_add(1); });
  EXPECT_FALSE(p.is_complete(0));  // before the run: nothing is complete
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < 10; ++t) {
    in.send(1);
    in.send(2);
    EXPECT_FALSE(p.is_complete(t));
    in.advance_to(t + 1);
    ASSERT_TRUE(p.wait_until_complete(t, std::chrono::seconds(10)));
    EXPECT_EQ(seen.load(), static_cast<int>(2 * (t + 1)));  // the sink saw epoch t
  }
  EXPECT_FALSE(p.done());
  in.close();
  ex.wait();
  EXPECT_TRUE(p.done());
}

TEST_P(Operators, EmptyInputCompletes) {
  sw::runtime rt(options());
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto out = s.collect();
  auto ex = rt.run(g);
  in.close();
  ex.wait();
  EXPECT_TRUE(ex.completed());
  EXPECT_EQ(out.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Threads, Operators, ::testing::Values(1, 2, 4),
                         [](const auto& info) { return "threads" + std::to_string(info.param); });
