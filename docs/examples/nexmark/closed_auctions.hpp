#pragma once
// The core that NEXMark Q4 and Q6 share: auctions closing with their winning price.
#include "queries.hpp"

#include <cstdint>

namespace streamweave::nexmark {

/// An auction that closed with at least one valid bid (A.date_time <= B.date_time <=
/// A.expires), and the highest such bid's price.
struct closed_auction {
  std::int64_t id = 0;
  std::int64_t seller = 0;
  std::int64_t category = 0;
  std::int64_t expires = 0;
  std::int64_t final_price = 0;
};

/// Every auction with a valid bid, emitted at its `expires` once the frontier has passed it
/// (no valid bid can arrive any more), keyed by auction over `parallelism` instances.
stream<closed_auction> closed_auctions(const stream<event>& events, std::size_t parallelism);

}  // namespace streamweave::nexmark
