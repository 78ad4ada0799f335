#include "progress/loop_summaries.hpp"

#include <streamweave/loop/loop_time.hpp>

#include <cstdint>

namespace streamweave::internal {

std::vector<std::vector<std::vector<scoped_summary>>> summaries_of(const detail::node_spec& spec) {
  constexpr auto bits = static_cast<std::uint8_t>(loop_time::round_bits);
  switch (spec.role) {
    case detail::loop_role::enter:
      return {{{scoped_summary{0, bits, 0}}}};
    case detail::loop_role::leave:
      return {{{scoped_summary{bits, 0, 0}}}};
    case detail::loop_role::feedback:
      return {{{scoped_summary{0, 0, spec.feedback_step}}}};
    case detail::loop_role::none:
      break;
  }
  return {};  // identity for every (input, output) pair
}

}  // namespace streamweave::internal
