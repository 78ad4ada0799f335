// NEXMark Q3, local item suggestion: who sells in category 10 in Oregon, Idaho or California.
// An unwindowed inner join: either side may arrive first, every matching pair once.
//   SELECT P.name, P.city, P.state, A.id
//   FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
//   WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
#include "queries.hpp"

#include "nexmark/csv_format.hpp"

namespace streamweave::nexmark {

namespace {
struct seller {
  std::int64_t id;
  std::string name, city, state;
};
struct item {
  std::int64_t id, seller, category;
};
}  // namespace

stream<std::string> q3_local_item_suggestion(const stream<event>& events, std::size_t parallelism) {
  auto sellers = select<person>(events, [](const person& p) { return seller{p.id, p.name, p.city, p.state}; })
                     .filter([](const seller& p) { return p.state == "OR" || p.state == "ID" || p.state == "CA"; })
                     .key_by([](const seller& p) { return p.id; }, parallelism);
  auto items = select<auction>(events, [](const auction& a) { return item{a.id, a.seller, a.category}; })
                   .filter([](const item& a) { return a.category == 10; })
                   .key_by([](const item& a) { return a.seller; }, parallelism);
  // join keeps each side's records until the other side is done: Q3 has no state expiry.
  return items.join(sellers, "q3 seller join", [](const item& a, const seller& p) { return csv_row(p.name, p.city, p.state, a.id); });
}

}  // namespace streamweave::nexmark
