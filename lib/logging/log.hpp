#pragma once
/// \file
/// Internal logging helpers over the library logger. Arguments are evaluated only when the
/// level is enabled. Never log per record, and per batch at most at debug level.
#include <streamweave/logging/logger.hpp>

#include <spdlog/spdlog.h>

#include <utility>

namespace streamweave::internal::log {

template <class... Args>
void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  auto l = streamweave::logger();
  if (l->should_log(spdlog::level::debug)) l->debug(fmt, std::forward<Args>(args)...);
}

template <class... Args>
void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  auto l = streamweave::logger();
  if (l->should_log(spdlog::level::warn)) l->warn(fmt, std::forward<Args>(args)...);
}

template <class... Args>
void error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  auto l = streamweave::logger();
  if (l->should_log(spdlog::level::err)) l->error(fmt, std::forward<Args>(args)...);
}

}  // namespace streamweave::internal::log
