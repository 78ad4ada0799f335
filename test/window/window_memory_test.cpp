// Bounded state: 10,000 epochs of keyed tumbling and session windows. The operators' stats
// show that live windows and buffered records stay bounded by what the window sizes and the
// sender's lead allow, independent of the number of epochs, and drop to zero at the end.
#include <streamweave/streamweave.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <utility>

namespace sw = streamweave;

TEST(WindowMemory, StateStaysBoundedOverTenThousandEpochs) {
  constexpr int keys = 4;
  constexpr sw::timestamp epochs = 10000;
  constexpr sw::timestamp size = 8;    // tumbling window size, in epochs
  constexpr sw::timestamp lead = 32;   // the sender waits until results older than this are out
  sw::runtime rt({.threads = 2});
  sw::graph g("memory");
  auto [in, s] = g.input<std::pair<int, sw::timestamp>>("epochs");
  auto key = [](const auto& r) { return r.first; };
  auto time = [](const auto& r) { return r.second; };
  auto keyed = s.key_by(key, 2);
  auto tumbling = keyed.window(sw::tumbling_windows(size), time).count("tumbling");
  auto sessions = keyed.window(sw::session_windows(2), time).count("sessions");
  auto done = tumbling.output.probe();
  auto sessions_done = sessions.output.probe();
  std::atomic<std::uint64_t> counted{0};
  tumbling.output.for_each([&counted](const auto& r) { counted.fetch_add(r.value, std::memory_order_relaxed); });
  tumbling.late.for_each([](const auto&) {});
  sessions.output.for_each([](const auto&) {});
  sessions.late.for_each([](const auto&) {});
  auto exec = rt.run(g);
  for (sw::timestamp e = 0; e < epochs; ++e) {
    in.advance_to(e);
    for (int k = 0; k < keys; ++k)
      if ((e + static_cast<sw::timestamp>(k)) % 5 != 0) in.send({k, e});  // gaps: sessions end
    if (e % lead == 0 && e >= lead) {
      ASSERT_TRUE(done.wait_until_complete(e - lead));
      ASSERT_TRUE(sessions_done.wait_until_complete(e - lead));
    }
  }
  in.close();
  exec.wait();
  // Before each wait, at most 2 * lead epochs are unprocessed: windows of those epochs, per key.
  constexpr std::int64_t window_bound = keys * static_cast<std::int64_t>(2 * lead / size + 2);
  constexpr std::int64_t record_bound = keys * static_cast<std::int64_t>(2 * lead + 2);
  EXPECT_LE(tumbling.stats.peak_live_windows(), window_bound);
  EXPECT_LE(tumbling.stats.peak_buffered_records(), record_bound);
  EXPECT_LE(sessions.stats.peak_live_windows(), keys * static_cast<std::int64_t>(2 * lead + 2));
  EXPECT_LE(sessions.stats.peak_buffered_records(), record_bound);
  EXPECT_EQ(tumbling.stats.live_windows(), 0);
  EXPECT_EQ(sessions.stats.live_windows(), 0);
  EXPECT_EQ(tumbling.stats.buffered_records(), 0);
  EXPECT_EQ(tumbling.stats.fired_windows(), keys * epochs / size);
  EXPECT_EQ(counted.load(), keys * epochs - epochs * keys / 5);
  EXPECT_EQ(tumbling.stats.late_records(), 0u);
}
