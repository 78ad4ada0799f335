#pragma once
// Writing events as `nexmark-csv v1` lines (format in docs/nexmark.md §3): the inverse of
// csv_reader.hpp. Fields are written verbatim; the caller keeps strings free of ',' and of
// bytes outside 0x20-0x7E, as the generator does.
#include "event.hpp"

#include <string>

namespace streamweave::nexmark {

/// Appends the line of `e` (tag first, no trailing newline) to `out`.
void append_line(std::string& out, const event& e);
/// Appends a bid's fields without the `B,` tag: Q0's output row.
void append_bid_fields(std::string& out, const bid& b);
/// Appends `W,<ms>`.
void append_watermark_line(std::string& out, std::int64_t ms);
/// Appends `v` in decimal.
void append_int(std::string& out, std::int64_t v);

}  // namespace streamweave::nexmark
