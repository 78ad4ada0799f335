#pragma once
// Small input sequences for tests.
#include <numeric>
#include <vector>

namespace streamweave::testing {

/// 0, 1, ..., n - 1.
inline std::vector<int> iota_vec(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

}  // namespace streamweave::testing
