#pragma once
// Helpers of the determinism tests: senders with random timing, and a per-epoch oracle view.
#include <streamweave/streamweave.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <thread>
#include <vector>

namespace streamweave::testing {

/// Random pauses for a sending thread: sometimes a yield, sometimes a short sleep. Only the
/// timing of the calls depends on the seed, never which calls are made.
class jitter {
 public:
  explicit jitter(std::uint64_t seed) : rng_(seed) {}
  void operator()() {
    const auto r = rng_() % 64;
    if (r == 0) std::this_thread::sleep_for(std::chrono::microseconds(rng_() % 300));
    else if (r < 8) std::this_thread::yield();
  }

 private:
  std::mt19937_64 rng_;
};

/// Records grouped by time, each group sorted: the order-free view of a sink's output.
template <class T>
std::map<timestamp, std::vector<T>> per_time_multisets(const std::vector<timed<T>>& items) {
  std::map<timestamp, std::vector<T>> out;
  for (const auto& i : items) out[i.time].push_back(i.record);
  for (auto& [t, v] : out) std::sort(v.begin(), v.end());
  return out;
}

}  // namespace streamweave::testing
