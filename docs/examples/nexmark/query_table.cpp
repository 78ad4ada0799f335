// Query by number.
#include "queries.hpp"

#include <array>
#include <stdexcept>

namespace streamweave::nexmark {

stream<std::string> build_query(int q, const stream<event>& events, std::size_t parallelism) {
  using query_fn = stream<std::string> (*)(const stream<event>&, std::size_t);
  static constexpr std::array<query_fn, 9> queries{q0_passthrough,
                                                   q1_currency_conversion,
                                                   q2_selection,
                                                   q3_local_item_suggestion,
                                                   q4_average_price_by_category,
                                                   q5_hot_items,
                                                   q6_average_selling_price_by_seller,
                                                   q7_highest_bid,
                                                   q8_monitor_new_users};
  if (q < 0 || q >= static_cast<int>(queries.size()))
    throw std::invalid_argument("nexmark: query " + std::to_string(q) + " is outside 0..8");
  return queries[static_cast<std::size_t>(q)](events, parallelism);
}

}  // namespace streamweave::nexmark
