// Input handles fed from several threads at once: no record lost or duplicated.
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <thread>

namespace sw = streamweave;

TEST(InputThreads, FourSendersNoLossNoDuplicates) {
  for (std::size_t threads : {1u, 2u, 4u}) {
    SCOPED_TRACE("runtime threads=" + std::to_string(threads));
    sw::runtime_options o;
    o.threads = threads;
    o.batch_size = 64;
    o.queue_capacity = 4;
    sw::runtime rt(o);
    sw::graph g;
    auto [in, s] = g.input<std::uint64_t>("shared-input");
    auto out = s.exchange([](std::uint64_t v) { return v; }, 3).map([](std::uint64_t v) { return v; }).collect();
    auto ex = rt.run(g);
    constexpr std::uint64_t per_thread = 20000;
    std::vector<std::thread> senders;
    for (std::uint64_t k = 0; k < 4; ++k) {
      senders.emplace_back([&in, k] {
        auto handle = in;  // copies share the input
        for (std::uint64_t i = 0; i < per_thread; ++i) {
          if (i % 3 == 0) {
            handle.send(k * per_thread + i);
          } else {
            while (!handle.try_send(k * per_thread + i)) std::this_thread::yield();
          }
        }
        handle.flush();
      });
    }
    for (auto& t : senders) t.join();
    in.close();
    ex.wait();
    std::vector<int> seen(4 * per_thread, 0);
    for (auto v : out.records()) {
      ASSERT_LT(v, seen.size());
      ++seen[v];
    }
    for (std::size_t v = 0; v < seen.size(); ++v) ASSERT_EQ(seen[v], 1) << "record " << v;
  }
}

TEST(InputThreads, SendersOnDifferentEpochsKeepTheirTimes) {
  sw::runtime rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto [a, sa] = g.input<int>("a");
  auto [b, sb] = g.input<int>("b");
  auto out = sa.concat(sb).collect();
  auto p = sa.concat(sb).probe();
  (void)p;
  auto ex = rt.run(g);
  std::thread ta([&a] {
    for (int t = 0; t < 50; ++t) {
      a.send(t);
      a.advance_to(static_cast<sw::timestamp>(t + 1));
    }
    a.close();
  });
  std::thread tb([&b] {
    for (int t = 0; t < 50; ++t) {
      b.send(1000 + t);
      b.advance_to(static_cast<sw::timestamp>(t + 1));
    }
    b.close();
  });
  ta.join();
  tb.join();
  ex.wait();
  for (const auto& item : out.items()) {
    const int base = item.record >= 1000 ? item.record - 1000 : item.record;
    EXPECT_EQ(item.time, static_cast<sw::timestamp>(base));
  }
  EXPECT_EQ(out.size(), 100u);
}
