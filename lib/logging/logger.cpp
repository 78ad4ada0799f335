#include <streamweave/logging/logger.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace streamweave {

namespace {

std::mutex& logger_mutex() {
  static std::mutex m;
  return m;
}

std::shared_ptr<spdlog::logger>& logger_slot() {
  static std::shared_ptr<spdlog::logger> slot;
  return slot;
}

}  // namespace

void set_logger(std::shared_ptr<spdlog::logger> l) {
  if (!l) l = std::make_shared<spdlog::logger>("streamweave");  // no sinks: silent
  std::lock_guard lock(logger_mutex());
  logger_slot() = std::move(l);
}

std::shared_ptr<spdlog::logger> logger() {
  std::lock_guard lock(logger_mutex());
  auto& slot = logger_slot();
  if (!slot) {
    slot = spdlog::get("streamweave");
    if (!slot) {
      // Unregistered on purpose: no name clash with a host that registers "streamweave" later.
      slot = std::make_shared<spdlog::logger>("streamweave", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
      slot->set_level(spdlog::level::warn);
    }
  }
  return slot;
}

}  // namespace streamweave
