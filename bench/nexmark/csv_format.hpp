#pragma once
// Writing events as `nexmark-csv v1` lines (format in docs/nexmark.md §3): the inverse of
// csv_reader.hpp. Fields are written verbatim; the caller keeps strings free of ',' and of
// bytes outside 0x20-0x7E, as the generator does.
#include "event.hpp"

#include <string>
#include <string_view>

namespace streamweave::nexmark {

/// Appends the line of `e` (tag first, no trailing newline) to `out`.
void append_line(std::string& out, const event& e);
/// Appends a bid's fields without the `B,` tag: Q0's output row.
void append_bid_fields(std::string& out, const bid& b);
/// Appends `W,<ms>`.
void append_watermark_line(std::string& out, std::int64_t ms);
/// Appends `v` in decimal.
void append_int(std::string& out, std::int64_t v);
/// Appends Q1's exact `0.908 * price` with exactly three fraction digits: with v = price * 908,
/// "<|v| div 1000>.<|v| mod 1000, zero-padded>", and a leading '-' when v < 0 (-1 gives
/// "-0.908"). Exact for every int64 price.
void append_euro(std::string& out, std::int64_t price);

/// Output rows: fields joined by ',', integers in decimal, strings verbatim.
inline void append_field(std::string& out, std::int64_t v) { append_int(out, v); }
inline void append_field(std::string& out, std::string_view s) { out += s; }
template <class... Fields>
std::string csv_row(const Fields&... fields) {
  std::string row;
  bool first = true;
  const auto one = [&](const auto& f) {
    if (!first) row += ',';
    first = false;
    append_field(row, f);
  };
  (one(fields), ...);
  return row;
}

}  // namespace streamweave::nexmark
