// Chains: consecutive stateless operators in one expression run in one loop; named chains
// become one shared node; errors still name the operator that threw.
#include <streamweave/streamweave.hpp>

#include "support/sequences.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

namespace sw = streamweave;

using streamweave::testing::iota_vec;

TEST(Chain, TemporaryChainEndingInASinkIsOneNode) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  std::atomic<long> sum{0};
  g.source_from("n", iota_vec(1000))
      .map([](int x) { return x * 2; })
      .filter([](int x) { return x % 3 == 0; })
      .flat_map([](int x) { return std::vector<int>{x, x}; })
      .inspect([](int) {})
      .for_each([&](int x) { sum.fetch_add(x); });
  EXPECT_EQ(g.node_count(), 1u) << "the generator, the operators and the sink run in one loop";
  rt.run(g).wait();
  long expected = 0;
  for (int x = 0; x < 1000; ++x)
    if ((2 * x) % 3 == 0) expected += 4 * x;
  EXPECT_EQ(sum.load(), expected);
}

TEST(Chain, NamedChainUsedTwiceRunsItsOperatorsOnce) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  std::atomic<int> calls{0};
  auto doubled = g.source_from("n", iota_vec(500)).map([&](int x) {
    calls.fetch_add(1);
    return 2 * x;
  }, "double");
  auto all = doubled.collect("all");
  std::atomic<int> seen{0};
  doubled.filter([](int x) { return x >= 0; }).for_each([&](int) { seen.fetch_add(1); });
  rt.run(g).wait();
  EXPECT_EQ(calls.load(), 500) << "fan-out from a named chain shares one node";
  EXPECT_EQ(all.size(), 500u);
  EXPECT_EQ(seen.load(), 500);
}

TEST(Chain, ProbeOnANamedChainCoversItsConsumers) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto mapped = s.map([](int x) { return x + 1; }, "inc");
  auto done = mapped.probe();
  std::atomic<int> seen{0};
  mapped.for_each([&](int) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    seen.fetch_add(1);
  }, "slow");
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < 5; ++t) {
    for (int i = 0; i < 10; ++i) in.send(i);
    in.advance_to(t + 1);
    ASSERT_TRUE(done.wait_until_complete(t, std::chrono::seconds(10)));
    EXPECT_EQ(seen.load(), static_cast<int>(10 * (t + 1))) << "the probe must wait for the slow consumer";
  }
  in.close();
  ex.wait();
}

TEST(Chain, ErrorsNameTheOperatorThatThrew) {
  for (const char* culprit : {"first", "second", "sink"}) {
    sw::runtime rt(sw::runtime_options{.threads = 1});
    sw::graph g;
    const std::string who = culprit;
    g.source_from("n", iota_vec(10))
        .map([who](int x) {
          if (who == "first" && x == 5) throw std::runtime_error("in first");
          return x;
        }, "first")
        .filter([who](int x) {
          if (who == "second" && x == 5) throw std::runtime_error("in second");
          return true;
        }, "second")
        .for_each([who](int x) {
          if (who == "sink" && x == 5) throw std::runtime_error("in sink");
        }, "sink");
    auto ex = rt.run(g);
    try {
      ex.wait();
      FAIL() << "expected a failure in " << who;
    } catch (const sw::operator_error& e) {
      EXPECT_EQ(e.node_name(), who);
      try {
        std::rethrow_if_nested(e);
        FAIL();
      } catch (const std::runtime_error& inner) {
        EXPECT_EQ(std::string(inner.what()), "in " + who);
      }
    }
  }
}

TEST(Chain, ConvertsToAStreamAndKeepsExchangeParallelism) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  sw::stream<int> s = g.source_from("n", iota_vec(100)).map([](int x) { return x + 1; });
  auto counted = s.exchange([](int x) { return x; }, 3).map([](int x) { return x; }).collect();
  rt.run(g).wait();
  EXPECT_EQ(counted.size(), 100u);
}

TEST(Chain, GeneratorErrorsNameTheSource) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g;
  g.source("flaky-source", [i = 0]() mutable -> std::optional<int> {
     if (i == 50) throw std::runtime_error("source broke");
     return i++;
   })
      .map([](int x) { return x; }, "m")
      .for_each([](int) {}, "sink");
  auto ex = rt.run(g);
  try {
    ex.wait();
    FAIL();
  } catch (const sw::operator_error& e) {
    EXPECT_EQ(e.node_name(), "flaky-source");
  }
}

TEST(Chain, SourceEndingInASinkKeepsTheRunOpenUntilExhausted) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  std::atomic<long> n{0};
  g.partitioned_source("slices", 3, [](std::size_t k, std::size_t) {
     return [i = 0, k]() mutable -> std::optional<int> {
       if (i == 20000) return std::nullopt;
       ++i;
       return static_cast<int>(k);
     };
   }).for_each([&](int) { n.fetch_add(1); });
  rt.run(g).wait();
  EXPECT_EQ(n.load(), 60000) << "wait() returns only after every generator is exhausted";
}

TEST(Chain, ConstNamedChainIsUsable) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g;
  const auto c = g.source_from("n", iota_vec(10)).map([](int x) { return x * 10; }, "times10");
  std::atomic<int> sum{0};
  c.filter([](int x) { return x > 0; }).for_each([&](int x) { sum.fetch_add(x); });
  auto all = c.collect();
  rt.run(g).wait();
  EXPECT_EQ(sum.load(), 450);
  EXPECT_EQ(all.size(), 10u);
}

namespace {
/// A small trivially copyable generator of 0..n-1 (the kind a source copies into a local for
/// each batch); `calls` counts its calls, so a copy that lost its state and starts over is
/// caught instead of running forever.
struct small_generator {
  int next = 0;
  int n = 0;
  std::atomic<int>* calls = nullptr;
  std::optional<int> operator()() {
    if (calls->fetch_add(1) > n) throw std::logic_error("called again after the end: generator state lost");
    if (next == n) return std::nullopt;
    return next++;
  }
};

/// A generator of 0..n-1 with a history (not trivially copyable: it runs in place); counts its
/// moves.
struct history_generator {
  int next = 0;
  int n = 0;
  std::vector<int> history;
  std::shared_ptr<std::atomic<int>> moves = std::make_shared<std::atomic<int>>(0);
  explicit history_generator(int count) : n(count) {}
  history_generator(const history_generator&) = default;
  history_generator(history_generator&& o) noexcept : next(o.next), n(o.n), history(std::move(o.history)), moves(o.moves) {
    moves->fetch_add(1);
  }
  std::optional<int> operator()() {
    if (next == n) return std::nullopt;
    history.push_back(next);
    if (history.size() != static_cast<std::size_t>(next + 1)) throw std::logic_error("generator state lost");
    return next++;
  }
};

/// Runs `gen` as a source with batches of 3 and one batch per activation; returns the records.
template <class G>
std::vector<int> run_small_batches(G gen) {
  sw::runtime rt(sw::runtime_options{.threads = 1, .batch_size = 3, .activation_budget = 1});
  sw::graph g;
  auto out = g.source("counting", std::move(gen)).map([](int x) { return x; }, "m").collect("all");
  rt.run(g).wait();
  return out.records();
}
}  // namespace

TEST(Chain, GeneratorStateCarriesAcrossBatchesAndActivations) {
  std::atomic<int> calls{0};
  static_assert(std::is_trivially_copyable_v<small_generator>);
  EXPECT_EQ(run_small_batches(small_generator{0, 1000, &calls}), iota_vec(1000))
      << "every batch continues where the last one stopped, in order";
  EXPECT_EQ(calls.load(), 1001);
}

TEST(Chain, LargerGeneratorsRunInPlace) {
  history_generator gen(1000);
  auto moves = gen.moves;
  EXPECT_EQ(run_small_batches(std::move(gen)), iota_vec(1000));
  EXPECT_LT(moves->load(), 50) << "a generator that is not trivially copyable is not moved per batch";
}

namespace {

/// A chain whose output crosses a queue (a named chain with two consumers): `flat_map` emits
/// 0..3*batch_size records per input, so the chain's output batches fill and flush in the
/// middle of one input record, at every batch size. Compared with the same computation done
/// sequentially.
template <class Out, class Make>
void check_chain_output_batches(Make make) {
  for (std::size_t batch_size : {1u, 2u, 3u, 7u, 64u}) {
    SCOPED_TRACE("batch_size " + std::to_string(batch_size));
    sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = batch_size});
    sw::graph g;
    auto expand = [batch_size](int x) {
      std::vector<int> v(static_cast<std::size_t>(x) % (3 * batch_size + 1));
      std::iota(v.begin(), v.end(), x);
      return v;
    };
    auto chain = g.source("numbers", [i = 0]() mutable -> std::optional<int> {
                    if (i == 500) return std::nullopt;
                    return i++;
                  })
                     .flat_map(expand, "expand")
                     .filter([](int y) { return y % 5 != 0; }, "drop fifths")
                     .map(make, "make");
    auto a = chain.collect("a");
    auto b = chain.collect("b");
    rt.run(g).wait();
    std::vector<Out> expected;
    for (int x = 0; x < 500; ++x)
      for (int y : expand(x))
        if (y % 5 != 0) expected.push_back(make(y));
    for (auto* out : {&a, &b}) {
      auto got = out->records();
      std::sort(got.begin(), got.end());
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(got, expected);
    }
  }
}

}  // namespace

TEST(Chain, OutputBatchesOfPlainRecordsFillAndFlushAtEveryBatchSize) {
  check_chain_output_batches<long>([](int y) { return static_cast<long>(y) * 3; });
}

TEST(Chain, OutputBatchesOfRecordsWithStateFillAndFlushAtEveryBatchSize) {
  check_chain_output_batches<std::string>([](int y) { return std::to_string(y); });
}

TEST(Chain, AStageThatThrowsInTheMiddleOfAnOutputBatchFailsTheRunCleanly) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 8});
  sw::graph g;
  auto chain = g.source("numbers", [i = 0]() mutable -> std::optional<int> {
                  if (i == 1000) return std::nullopt;
                  return i++;
                })
                   .map([](int x) {
                     if (x == 421) throw std::runtime_error("bad record");
                     return x;
                   }, "picky");
  auto a = chain.collect("a");
  auto b = chain.collect("b");
  try {
    rt.run(g).wait();
    FAIL() << "the run did not fail";
  } catch (const sw::operator_error& e) {
    EXPECT_NE(std::string(e.what()).find("picky"), std::string::npos) << e.what();
  }
  for (int r : a.records()) EXPECT_LT(r, 421) << "a record after the failing one was delivered";
}
