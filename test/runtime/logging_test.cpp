// The library logger: named "streamweave", replaceable and silenceable, never global.
#include <streamweave/streamweave.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <gtest/gtest.h>

#include <sstream>

namespace sw = streamweave;

namespace {
void run_failing_graph() {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  sw::graph g("logged");
  g.source_from("n", std::vector<int>{1, 2, 3})
      .map([](int x) -> int { throw std::runtime_error("x" + std::to_string(x)); }, "always-fails")
      .for_each([](int) {});
  auto ex = rt.run(g);
  EXPECT_THROW(ex.wait(), sw::operator_error);
}
}  // namespace

TEST(Logging, DefaultLoggerIsNamedAndNotRegistered) {
  auto l = sw::logger();
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->name(), "streamweave");
  EXPECT_EQ(spdlog::get("streamweave"), nullptr) << "the library must not register its logger globally";
}

TEST(Logging, HostLoggerReceivesFailuresAndNullSilences) {
  const auto default_logger_before = spdlog::default_logger();
  const auto global_level_before = spdlog::default_logger()->level();
  std::ostringstream captured;
  auto host = std::make_shared<spdlog::logger>("streamweave", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  host->set_level(spdlog::level::debug);
  sw::set_logger(host);
  run_failing_graph();
  host->flush();
  EXPECT_NE(captured.str().find("'always-fails'"), std::string::npos) << captured.str();
  EXPECT_NE(captured.str().find("started"), std::string::npos) << "lifecycle at debug level";

  captured.str("");
  sw::set_logger(nullptr);
  run_failing_graph();
  host->flush();
  EXPECT_EQ(captured.str(), "") << "set_logger(nullptr) silences the library";

  EXPECT_EQ(spdlog::default_logger(), default_logger_before) << "spdlog's default logger must be untouched";
  EXPECT_EQ(spdlog::default_logger()->level(), global_level_before);
}
