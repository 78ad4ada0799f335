// Fault injection on random DAGs (test/support/fault_workload.hpp): every seed's graph is hit
// by nothing, a throwing operator, a cancel or the destruction of its execution at a random
// moment, and every promise about how a run stops is checked. 200 seeds, 1-4 threads.
// Replay a seed with STREAMWEAVE_SEED=<seed>; explore with STREAMWEAVE_SEED_BASE / _RUNS.
#include "support/fault_workload.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

namespace sw = streamweave;

TEST(FaultDag, EveryFaultStopsTheRunCleanlyAndNothingHangs) {
  sw::set_logger(nullptr);  // every injected fault would log an error line
  std::map<std::string, int> outcomes;
  int released = 0;
  const std::size_t runs = sw::testing::runs(200);
  for (std::size_t i = 0; i < runs; ++i) {
    const std::uint64_t seed = sw::testing::seed_for(i, 8080);
    const auto r = sw::testing::fault_workload::run_fault_workload(seed);
    ++outcomes[r.outcome.substr(0, r.outcome.find(':'))];
    released += r.senders_released;
    for (const auto& p : r.problems) ADD_FAILURE() << sw::testing::seed_note(seed) << ": " << p;
    if (!r.problems.empty()) break;
  }
  std::printf("fault DAGs, %zu seeds:", runs);
  for (const auto& [outcome, n] : outcomes) std::printf(" %s %d,", outcome.c_str(), n);
  std::printf(" %d blocked senders released with cancelled_error\n", released);
  if (runs >= 100 && !HasFailure()) {
    // Every kind of ending happened: the faults were injected, not just planned.
    for (const char* kind : {"completed", "operator_error", "cancelled", "destroyed"})
      EXPECT_GT(outcomes[kind], 0) << "no run ended " << kind;
    EXPECT_GT(released, 0) << "no blocked sender was released";
  }
}
