// execution::write_trace: the errors a user meets, the option's limit, and a ring that keeps
// only the last spans. The trace's format is checked by observe_trace_format (check_trace.py).
#include <streamweave/streamweave.hpp>

#include "support/sequences.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace sw = streamweave;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST(Trace, WithoutTracingWriteTraceNamesTheOption) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g("plain");
  g.source_from("numbers", sw::testing::iota_vec(10)).for_each([](int) {}, "sink");
  auto ex = rt.run(g);
  ex.wait();
  try {
    ex.write_trace(::testing::TempDir() + "never.json");
    FAIL() << "expected usage_error";
  } catch (const sw::usage_error& e) {
    EXPECT_NE(std::string(e.what()).find("trace_capacity"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("plain"), std::string::npos) << e.what();
  }
}

TEST(Trace, AnUnwritablePathIsReportedWithThePath) {
  sw::runtime rt(sw::runtime_options{.threads = 1, .trace_capacity = 8});
  sw::graph g;
  g.source_from("numbers", sw::testing::iota_vec(10)).for_each([](int) {}, "sink");
  auto ex = rt.run(g);
  ex.wait();
  const std::string path = "/nonexistent-directory-of-streamweave/trace.json";
  try {
    ex.write_trace(path);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(Trace, CapacityAboveTheLimitIsRejectedByName) {
  sw::runtime rt(sw::runtime_options{.threads = 1, .trace_capacity = sw::runtime_options::max_trace_capacity + 1});
  sw::graph g;
  g.source_from("numbers", sw::testing::iota_vec(10)).for_each([](int) {}, "sink");
  try {
    (void)rt.run(g);
    FAIL() << "expected usage_error";
  } catch (const sw::usage_error& e) {
    EXPECT_NE(std::string(e.what()).find("trace_capacity"), std::string::npos) << e.what();
  }
}

// A ring of 3 spans per unit keeps the last 3 and says how many it overwrote.
TEST(Trace, ASmallRingKeepsTheLastSpans) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 4, .trace_capacity = 3});
  sw::graph g("small");
  auto [in, s] = g.input<int>("in");
  s.map([](int v) { return v; }, "id").for_each([](int) {}, "sink");
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < 50; ++t) {
    for (int i = 0; i < 8; ++i) in.send(i);
    in.advance_to(t + 1);
  }
  in.close();
  ex.wait();
  std::uint64_t kept = 0;  // per unit: its last 3 activations, or all when fewer
  bool overwrote = false;
  for (const auto& m : ex.metrics().instances)
    if (!m.fused) {
      kept += std::min<std::uint64_t>(m.activations, 3);
      overwrote = overwrote || m.activations > 3;
    }
  const std::string path = ::testing::TempDir() + "streamweave_small_trace.json";
  ex.write_trace(path);
  const std::string text = read_file(path);
  std::remove(path.c_str());
  const std::size_t spans = count_of(text, "\"ph\":\"X\"");
  EXPECT_EQ(spans, kept);
  EXPECT_TRUE(overwrote) << "50 epochs of 2 batches give each unit more than 3 activations";
  EXPECT_EQ(text.find("\"overwritten_spans\":0"), std::string::npos) << "some spans were overwritten";
}

// write_trace from an outside thread while two threads send and the graph runs (TSan: the
// rings' single writer against the reader).
TEST(Trace, WrittenWhileTheGraphRuns) {
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 8, .trace_capacity = 64});
  sw::graph g("busy");
  auto [in, s] = g.input<int>("in");
  auto mapped = s.map([](int v) { return v; }, "id");
  auto done = mapped.probe();
  mapped.exchange([](int v) { return v; }, 2).for_each([](int) {}, "sink");
  auto ex = rt.run(g);
  const std::string path = ::testing::TempDir() + "streamweave_busy_trace.json";
  std::atomic<bool> stop{false};
  std::size_t written = 0;
  std::thread reader([&] {
    while (!stop.load()) {
      ex.write_trace(path);
      ++written;
    }
  });
  auto send = [h = in]() mutable {
    for (int i = 0; i < 3000; ++i) h.send(i);
  };
  std::thread a(send), b(send);
  for (sw::timestamp t = 1; t <= 20; ++t) in.advance_to(t);
  a.join();
  b.join();
  in.close();
  ex.wait();
  stop = true;
  reader.join();
  ex.write_trace(path);
  const std::string text = read_file(path);
  std::remove(path.c_str());
  EXPECT_GT(written, 0u);
  EXPECT_NE(text.find("\"traceEvents\""), std::string::npos);
  EXPECT_NE(text.find("\"frontier\":\"done\""), std::string::npos) << "the probe's last change: done";
}

// Readers racing a cancel, and a run that fails: metrics, DOT and traces stay readable during
// and after the end, and the times stop at the end.
TEST(Trace, ReadersSurviveCancelAndFailure) {
  const std::string path = ::testing::TempDir() + "streamweave_ended_trace.json";
  for (int trial = 0; trial < 20; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 4, .trace_capacity = 16});
    sw::graph g("ending");
    auto [in, s] = g.input<int>("in");
    s.map([trial](int v) {
       if (trial % 2 == 1 && v == 500) throw std::runtime_error("boom");
       return v;
     }, "maybe_throw")
        .exchange([](int v) { return v; }, 2)
        .for_each([](int) {}, "sink");
    auto ex = rt.run(g);
    std::atomic<bool> stop{false};
    std::thread reader([&] {
      while (!stop.load()) {
        (void)sw::to_prometheus_text(ex.metrics());
        (void)sw::to_dot(ex);
        ex.write_trace(path);
      }
    });
    std::thread sender([h = in]() mutable {
      try {
        for (int i = 0; i < 2000; ++i) h.send(i);
        h.close();
      } catch (const sw::cancelled_error&) {
      }
    });
    if (trial % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(50 * trial));
      ex.cancel();
    }
    sender.join();
    if (trial % 2 == 1) {
      EXPECT_THROW(ex.wait(), sw::operator_error);
    } else {
      try {
        ex.wait();  // the run may complete before the cancel
      } catch (const sw::cancelled_error&) {
      }
    }
    stop = true;
    reader.join();
    const auto end = ex.metrics();
    EXPECT_EQ(ex.metrics().uptime, end.uptime) << "the uptime stops at the end";
    ex.write_trace(path);
    EXPECT_NE(sw::to_dot(ex).find("maybe_throw"), std::string::npos);
  }
  std::remove(path.c_str());
}
