#pragma once
/// \file
/// Where the tests find the NEXMark spec's samples (tiny/ and small-ooo/, each an events.csv
/// with its expected/q<n>.csv rows). The samples are not in git: test/nexmark/nexmark.cmake
/// points STREAMWEAVE_NEXMARK_DATA_DIR at STREAMWEAVE_NEXMARK_SAMPLES, or at
/// ../shared/nexmark beside the source tree, and leaves it empty when neither holds them.
/// .ci/run makes a missing folder a configure error, so CI always runs these tests.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#ifndef STREAMWEAVE_NEXMARK_DATA_DIR
#error "STREAMWEAVE_NEXMARK_DATA_DIR must name the folder holding the NEXMark samples (tiny/, small-ooo/), or be empty"
#endif

namespace streamweave::testing {

/// `<samples>/<sample>/<file>`, e.g. nexmark_sample_path("tiny", "events.csv").
inline std::string nexmark_sample_path(std::string_view sample, std::string_view file) {
  return std::string(STREAMWEAVE_NEXMARK_DATA_DIR) + "/" + std::string(sample) + "/" + std::string(file);
}

inline constexpr bool nexmark_samples_found = std::string_view(STREAMWEAVE_NEXMARK_DATA_DIR).size() != 0;

}  // namespace streamweave::testing

/// Skips the calling test, saying why, when the build found no samples.
#define STREAMWEAVE_SKIP_WITHOUT_NEXMARK_SAMPLES()                                                        \
  do {                                                                                                    \
    if (!::streamweave::testing::nexmark_samples_found)                                                   \
      GTEST_SKIP() << "the NEXMark samples were not found at configure time: set STREAMWEAVE_NEXMARK_SAMPLES " \
                      "to the folder holding tiny/ and small-ooo/";                                       \
  } while (false)
