// Operator chaining: one-to-one chains of stateless operators run in one activation, without
// queues between them; fan-out, exchange and generic operators keep their queues.
#include <streamweave/streamweave.hpp>

#include "support/sequences.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sw = streamweave;
using streamweave::testing::sorted;

TEST(Fusion, StatelessChainHasNoQueues) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  std::vector<int> data(5000, 1);
  auto out = g.source_from("ones", data).map([](int x) { return x + 1; }).filter([](int x) { return x > 0; }).inspect([](int) {}).collect();
  auto ex = rt.run(g);
  ex.wait();
  EXPECT_TRUE(ex.stats().empty()) << "source -> map -> filter -> inspect -> collect should be one fused unit";
  EXPECT_EQ(out.size(), 5000u);
}

TEST(Fusion, FanOutExchangeAndGenericOperatorsUseQueues) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto s = g.source_from("n", std::vector<int>{1, 2, 3}).map([](int x) { return x; }, "m");
  s.collect("a");
  s.exchange([](int x) { return x; }, 2).collect("b");
  s.unary<int>("generic", [](sw::operator_setup& setup) {
     setup.drop_initial_capability();
     return [](sw::unary_context<int, int>& ctx) {
       ctx.input.for_each([&](sw::input_batch<int>& b) {
         auto cap = b.retain();
         for (int x : b.records()) ctx.output.give(cap, x);
       });
     };
   }).collect("c");
  auto ex = rt.run(g);
  ex.wait();
  std::map<std::string, std::size_t> queues;
  for (const auto& q : ex.stats()) ++queues[q.consumer];
  EXPECT_EQ(queues["a"], 1u);
  EXPECT_EQ(queues["b"], 2u);  // one per exchange destination
  EXPECT_EQ(queues["generic"], 1u);
  EXPECT_EQ(queues["c"], 0u);  // fused into the generic operator
}

TEST(Fusion, StartNewChainPutsAQueueBeforeTheNextOperatorOnly) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  std::vector<int> data(5000);
  for (int i = 0; i < 5000; ++i) data[static_cast<std::size_t>(i)] = i;
  auto out = g.source_from("numbers", data)
                 .start_new_chain()
                 .map([](int x) { return 2 * x; }, "double")
                 .filter([](int x) { return x % 3 == 0; }, "thirds")
                 .start_new_chain()
                 .collect("sink");
  auto ex = rt.run(g);
  ex.wait();
  std::map<std::string, std::size_t> queues;
  for (const auto& q : ex.stats()) ++queues[q.consumer];
  EXPECT_EQ(queues.size(), 2u) << "one queue into the map chain, one into the sink, none inside the chain";
  EXPECT_EQ(queues["thirds"], 1u);  // the chain's node is named after its last operator
  EXPECT_EQ(queues["sink"], 1u);
  std::vector<int> expected;
  for (int x : data)
    if ((2 * x) % 3 == 0) expected.push_back(2 * x);
  auto got = out.records();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);
}

TEST(Fusion, StartNewChainOnAStreamKeepsItsParallelismAndErrorNames) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  sw::stream<int> spread = g.source_from("n", std::vector<int>{1, 2, 3, 4}).exchange([](int x) { return x; }, 3);
  auto mapped = spread.start_new_chain().map([](int x) {
    if (x == 3) throw std::runtime_error("three");
    return x;
  }, "fails-on-three");
  EXPECT_EQ(sw::stream<int>(mapped).consumer_parallelism(), 3u);
  mapped.for_each([](int) {}, "end");
  auto ex = rt.run(g);
  try {
    ex.wait();
    FAIL() << "the map's exception did not stop the run";
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "fails-on-three");
  }
}

TEST(Fusion, StartNewChainMarksOnlyTheStreamItReturns) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  sw::stream<int> numbers = g.source_from("numbers", std::vector<int>{1, 2, 3});
  auto queued = numbers.start_new_chain().collect("behind-a-queue");
  auto named = numbers.map([](int x) { return x + 1; }, "plus-one");  // a named chain
  auto after_named = named.start_new_chain().collect("after-named");
  auto ex = rt.run(g);
  ex.wait();
  std::map<std::string, std::size_t> queues;
  for (const auto& q : ex.stats()) ++queues[q.consumer];
  EXPECT_EQ(queues["behind-a-queue"], 1u);
  EXPECT_EQ(queues["plus-one"], 1u) << "fan-out from numbers: a queue, as without start_new_chain";
  EXPECT_EQ(queues["after-named"], 1u) << "start_new_chain on a named chain";
  EXPECT_EQ(sorted(after_named.records()), (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(sorted(queued.records()), (std::vector<int>{1, 2, 3}));
}

TEST(Fusion, StartNewChainDoesNotLeakToTheOriginalStream) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  sw::stream<int> mapped = g.source_from("numbers", std::vector<int>{1, 2, 3}).map([](int x) { return x; }, "m");
  [[maybe_unused]] auto marked = mapped.start_new_chain();  // a marked copy, never used
  auto out = mapped.collect("fused-sink");
  auto ex = rt.run(g);
  ex.wait();
  EXPECT_TRUE(ex.stats().empty()) << "the original stream's only consumer is still fused";
  EXPECT_EQ(out.size(), 3u);
}

// A small generator and a small sink callable run on per-batch copies (with_local_copy); their
// state must carry over from batch to batch and survive a throw, as if they ran in place.
TEST(Fusion, SmallGeneratorAndSinkStateCarriesAcrossBatches) {
  for (bool fused : {true, false}) {
    SCOPED_TRACE(fused ? "fused" : "queued");
    sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 7});
    sw::graph g;
    constexpr int n = 1000;
    std::uint64_t seen = 0;
    std::uint64_t last = 0;
    auto src = g.source("count", [i = 0]() mutable -> std::optional<int> {
      if (i == n) return std::nullopt;
      return i++;
    });
    // By-value state: reset per batch if the copy were not put back.
    auto sink = [count = std::uint64_t{0}, seen = &seen, last = &last](int x) mutable {
      *seen = ++count;
      *last = static_cast<std::uint64_t>(x);
    };
    if (fused) {
      std::move(src).for_each(sink, "sink");
    } else {
      std::move(src).start_new_chain().for_each(sink, "sink");
    }
    rt.run(g).wait();
    EXPECT_EQ(seen, static_cast<std::uint64_t>(n));
    EXPECT_EQ(last, static_cast<std::uint64_t>(n - 1));
  }
}

TEST(Fusion, SmallGeneratorThatThrowsKeepsItsStateUpToTheThrow) {
  sw::runtime rt(sw::runtime_options{.threads = 1, .batch_size = 4});
  sw::graph g;
  std::vector<int> got;
  g.source("count", [i = 0]() mutable -> std::optional<int> {
     if (i == 10) throw std::runtime_error("generator gave up");
     return i++;
   })
      .for_each([&got](int x) { got.push_back(x); }, "sink");
  auto ex = rt.run(g);
  EXPECT_THROW(ex.wait(), std::exception);
  std::vector<int> want(10);
  for (int k = 0; k < 10; ++k) want[static_cast<std::size_t>(k)] = k;
  EXPECT_EQ(got, want) << "records before the throw were lost or repeated";
}
