// NEXMark Q3, local item suggestion: who sells in category 10 in Oregon, Idaho or California.
// An unwindowed inner join: either side may arrive first, every matching pair once.
//   SELECT P.name, P.city, P.state, A.id
//   FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
//   WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
#include "queries.hpp"

#include "nexmark/csv_format.hpp"

namespace streamweave::nexmark {

stream<std::string> q3_local_item_suggestion(const stream<event>& events, std::size_t parallelism) {
  auto sellers = kind<person>(events)
                     .filter([](const person& p) { return p.state == "OR" || p.state == "ID" || p.state == "CA"; })
                     .key_by([](const person& p) { return p.id; }, parallelism);
  auto items = kind<auction>(events)
                   .filter([](const auction& a) { return a.category == 10; })
                   .key_by([](const auction& a) { return a.seller; }, parallelism);
  // join keeps each side's records until the other side is done: Q3 has no state expiry.
  return items.join(sellers, "q3 seller join",
                    [](const auction& a, const person& p) { return csv_row(p.name, p.city, p.state, a.id); });
}

}  // namespace streamweave::nexmark
