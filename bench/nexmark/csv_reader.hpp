#pragma once
// Reading `nexmark-csv v1` (docs/nexmark.md §3): one event or `W,<ms>` watermark line per line,
// `#` comments, LF line ends. Every rule of the format is checked and a violation throws
// `parse_error` naming the source, the line, the field and the reason; nothing is skipped
// silently. Checked: the tag, the field count per tag, signed 64-bit integers (optional '-',
// no '+', no spaces), string bytes 0x20-0x7E, unique person and auction ids, `expires` after
// `date_time`, the promise of every `W` line (later events are not older), the header's
// `max_delay_ms=K` promise (no event older than the newest earlier event minus K), empty lines,
// and a last line without its LF (a truncated file).
//
// Thread safety: none; one reader per thread.
#include "event.hpp"

#include <cstdint>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace streamweave::nexmark {

/// A malformed line. `what()` reads "<source>:<line>: <field>: <reason>" (or without the field
/// part when the line as a whole is wrong).
class parse_error : public std::runtime_error {
 public:
  parse_error(const std::string& source, std::uint64_t line, std::string field, std::string reason);
  std::uint64_t line() const noexcept { return line_; }
  /// The field's name as in the spec ("date_time", "price", ...), "tag", or empty.
  const std::string& field() const noexcept { return field_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::uint64_t line_;
  std::string field_;
  std::string reason_;
};

/// A `W,<ms>` line: every later event has date_time >= ms.
struct watermark {
  std::int64_t ms = 0;
  friend bool operator==(const watermark&, const watermark&) = default;
};

using csv_item = std::variant<event, watermark>;

/// Checks lines one at a time, in file order. Holds what the cross-line rules need: the ids
/// seen, the newest event time, the last `W` promise and the header's `max_delay_ms`.
class csv_line_parser {
 public:
  explicit csv_line_parser(std::string source_name = "<input>");
  /// Parses line number `line_no` (1-based, without its LF). Returns nullopt for a comment.
  std::optional<csv_item> parse(std::string_view line, std::uint64_t line_no);
  /// `max_delay_ms=K` from a comment on line 1, if there was one.
  std::optional<std::int64_t> max_delay_ms() const noexcept { return max_delay_ms_; }
  const std::string& source_name() const noexcept { return source_; }

 private:
  [[noreturn]] void fail(std::uint64_t line_no, std::string field, std::string reason) const;
  void check_time(std::int64_t t, std::uint64_t line_no);

  std::string source_;
  std::optional<std::int64_t> max_delay_ms_;
  std::optional<std::int64_t> max_seen_;
  std::optional<std::int64_t> promised_;  // the largest W so far
  std::uint64_t promised_line_ = 0;
  std::unordered_map<std::int64_t, std::uint64_t> person_lines_;   // id -> line
  std::unordered_map<std::int64_t, std::uint64_t> auction_lines_;  // id -> line
};

/// Reads a stream line by line.
class csv_reader {
 public:
  /// `source_name` names the input in errors (normally the file's path).
  explicit csv_reader(std::istream& in, std::string source_name = "<input>");
  /// The next event or watermark; nullopt at the end of the input. Throws parse_error, or
  /// std::runtime_error when the stream fails.
  std::optional<csv_item> next();
  std::optional<std::int64_t> max_delay_ms() const noexcept { return parser_.max_delay_ms(); }
  /// The number of the line read last.
  std::uint64_t line_number() const noexcept { return line_no_; }

 private:
  std::istream& in_;
  csv_line_parser parser_;
  std::string line_;
  std::uint64_t line_no_ = 0;
};

/// A whole input read into memory: events in file order, watermark lines checked and kept.
struct csv_contents {
  std::vector<event> events;
  std::vector<watermark> watermarks;
  std::optional<std::int64_t> max_delay_ms;
};

/// Reads all of `in`. Throws as csv_reader::next does.
csv_contents read_all(std::istream& in, const std::string& source_name = "<input>");
/// Reads the file at `path`; throws std::runtime_error when it cannot be opened.
csv_contents read_file(const std::string& path);

}  // namespace streamweave::nexmark
