#pragma once

// Library version. The top-level CMakeLists.txt checks at configure time that
// these numbers match project(streamweave VERSION ...).
#define STREAMWEAVE_VERSION_MAJOR 0
#define STREAMWEAVE_VERSION_MINOR 1
#define STREAMWEAVE_VERSION_PATCH 0

namespace streamweave {

// Returns the version of the compiled library as "MAJOR.MINOR.PATCH".
[[nodiscard]] const char* version_string() noexcept;

}  // namespace streamweave
