// Operator chaining: one-to-one chains of stateless operators run in one activation, without
// queues between them; fan-out, exchange and generic operators keep their queues.
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

namespace sw = streamweave;

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
