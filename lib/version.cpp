#include <streamweave/version.hpp>

namespace streamweave {

const char* version_string() noexcept { return "0.1.0"; }

}  // namespace streamweave
