#pragma once
// Small input sequences for tests, and sorted views of outputs to compare as multisets.
#include <streamweave/sinks/collection.hpp>

#include <algorithm>
#include <map>
#include <numeric>
#include <vector>

namespace streamweave::testing {

/// 0, 1, ..., n - 1.
inline std::vector<int> iota_vec(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

/// `v` sorted: compare outputs as multisets.
template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

/// A collection's records per time, each time's records sorted.
template <class T>
std::map<timestamp, std::vector<T>> sorted_by_time(const collection<T>& c) {
  auto m = c.by_time();
  for (auto& [t, v] : m) std::sort(v.begin(), v.end());
  return m;
}

}  // namespace streamweave::testing
