// Runtime construction: an owned arena with N workers, or an arena the host passes in.
#include <streamweave/streamweave.hpp>

#include <oneapi/tbb/task_arena.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

namespace sw = streamweave;

TEST(Runtime, OwnArenaUsesTheConfiguredThreads) {
  sw::runtime rt(sw::runtime_options{.threads = 3});
  EXPECT_EQ(rt.threads(), 3u);
  std::mutex m;
  std::set<std::thread::id> workers;
  sw::graph g;
  g.source("n", [i = 0]() mutable -> std::optional<int> {
     if (i == 200000) return std::nullopt;
     return i++;
   }).exchange([](int x) { return x; }, 3).for_each([&](int) {
    std::lock_guard lock(m);
    workers.insert(std::this_thread::get_id());
  });
  rt.run(g).wait();
  EXPECT_FALSE(workers.count(std::this_thread::get_id())) << "operators run on the arena's workers";
  EXPECT_LE(workers.size(), 3u);
  EXPECT_GE(workers.size(), 1u);
}

TEST(Runtime, HostArena) {
  tbb::task_arena host(2, 0);
  sw::runtime rt(host);
  EXPECT_EQ(rt.threads(), 2u);
  sw::graph g;
  auto out = g.source_from("n", std::vector<int>{1, 2, 3}).map([](int x) { return x * x; }).collect();
  rt.run(g).wait();
  auto r = out.records();
  std::sort(r.begin(), r.end());
  EXPECT_EQ(r, (std::vector<int>{1, 4, 9}));
}

TEST(Runtime, SeveralGraphsRunConcurrentlyOnOneRuntime) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph a("a");
  sw::graph b("b");
  auto [ia, sa] = a.input<int>("ia");
  auto [ib, sb] = b.input<int>("ib");
  auto ca = sa.map([](int x) { return x + 1; }).collect();
  auto cb = sb.map([](int x) { return x + 2; }).collect();
  auto ea = rt.run(a);
  auto eb = rt.run(b);
  for (int i = 0; i < 1000; ++i) {
    ia.send(i);
    ib.send(i);
  }
  ia.close();
  ib.close();
  ea.wait();
  eb.wait();
  EXPECT_EQ(ca.size(), 1000u);
  EXPECT_EQ(cb.size(), 1000u);
}

TEST(Runtime, InvalidOptionsAreRejected) {
  sw::runtime rt(sw::runtime_options{.threads = 1, .batch_size = 0});
  sw::graph g;
  g.source_from("n", std::vector<int>{1}).for_each([](int) {});
  EXPECT_THROW(rt.run(g), sw::usage_error);
}
