// libFuzzer target over the `nexmark-csv v1` reader (bench/nexmark/csv_reader.hpp). Built only in
// the `fuzz` preset (clang, -fsanitize=fuzzer,address); run with tools/fuzz.
//
// Properties checked on every input, besides the sanitizers':
// * the reader either reads the input or throws parse_error; any other exception escapes and
//   is reported by libFuzzer as a crash;
// * a parse_error names a line that exists (1 .. the number of lines) and has a reason;
// * what it reads writes back to lines that read again to the same events (round trip).
#include "nexmark/csv_format.hpp"
#include "nexmark/csv_reader.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace nx = streamweave::nexmark;

namespace {

/// A broken property: says which and aborts, which libFuzzer reports with the input.
void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "nexmark_csv_fuzz: %s\n", what);
  std::abort();
}

void check_round_trip(const nx::csv_contents& read) {
  std::string text;
  if (read.max_delay_ms) text += "# max_delay_ms=" + std::to_string(*read.max_delay_ms) + "\n";
  for (const nx::event& e : read.events) {
    nx::append_line(text, e);
    text += '\n';
  }
  std::istringstream in(text);
  // Watermark lines are left out, so their promises are not checked again; every other rule
  // held on the original order and holds on the same order now.
  const nx::csv_contents again = nx::read_all(in, "round-trip");
  require(again.events == read.events, "round trip changed the events");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  try {
    check_round_trip(nx::read_all(in, "fuzz"));
  } catch (const nx::parse_error& e) {
    const auto lines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    require(e.line() >= 1 && e.line() <= lines, "parse_error names a line that does not exist");
    require(!e.reason().empty(), "parse_error without a reason");
  }
  return 0;
}
