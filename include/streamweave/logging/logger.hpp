#pragma once
/// \file
/// StreamWeave logs through one spdlog logger named "streamweave" and never touches spdlog's
/// global settings (default logger, global level, pattern, registry).
///
/// On first use the library adopts a logger the host registered as "streamweave"
/// (`spdlog::get("streamweave")`); otherwise it creates an *unregistered* stderr logger at
/// level `warn`. `set_logger` replaces it; `set_logger(nullptr)` silences the library.
/// Lifecycle events are logged at debug/info; nothing is logged per batch at info level.
///
/// Thread safety: both functions may be called from any thread at any time.
#include <spdlog/fwd.h>

#include <memory>

namespace streamweave {

/// Replaces the library's logger; nullptr installs a logger with no sinks (silence).
void set_logger(std::shared_ptr<spdlog::logger> logger);
/// The library's current logger (never null).
std::shared_ptr<spdlog::logger> logger();

}  // namespace streamweave
