#pragma once
// Seeds for randomized tests: printed on failure, replayable with STREAMWEAVE_SEED=<n>.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace streamweave::testing {

/// The seed to use for iteration `i` of a randomized test: `base + i`, where `base` comes from
/// STREAMWEAVE_SEED when set (to replay a failure), else from STREAMWEAVE_SEED_BASE (to explore
/// other seeds in bulk), and is fixed otherwise.
inline std::uint64_t seed_for(std::uint64_t i, std::uint64_t fixed_base = 20261127) {
  if (const char* env = std::getenv("STREAMWEAVE_SEED")) return std::strtoull(env, nullptr, 10) + i;
  if (const char* env = std::getenv("STREAMWEAVE_SEED_BASE")) return std::strtoull(env, nullptr, 10) + i;
  return fixed_base + i;
}

/// How many seeds a randomized test runs: `default_runs`, or STREAMWEAVE_RUNS when set; 1 when
/// replaying one seed.
inline std::size_t runs(std::size_t default_runs) {
  if (std::getenv("STREAMWEAVE_SEED") != nullptr) return 1;
  if (const char* env = std::getenv("STREAMWEAVE_RUNS")) return std::strtoull(env, nullptr, 10);
  return default_runs;
}

/// True when STREAMWEAVE_SEED is set: run only the one replayed seed.
inline bool replaying() { return std::getenv("STREAMWEAVE_SEED") != nullptr; }

/// The seeds of a randomized test, for range-for: `runs(count)` seeds from `seed_for(0, base)`
/// on (one, the replayed seed, when STREAMWEAVE_SEED is set).
inline std::vector<std::uint64_t> seeds(std::uint64_t base, std::size_t count) {
  std::vector<std::uint64_t> out;
  const std::size_t n = runs(count);
  for (std::size_t i = 0; i < n; ++i) out.push_back(seed_for(i, base));
  return out;
}

inline std::string seed_note(std::uint64_t seed) {
  return "seed=" + std::to_string(seed) + " (replay: STREAMWEAVE_SEED=" + std::to_string(seed) + ")";
}

}  // namespace streamweave::testing
