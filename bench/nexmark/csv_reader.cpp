// Reading and checking `nexmark-csv v1`.
#include "csv_reader.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <limits>

namespace streamweave::nexmark {

namespace {

std::string what_of(const std::string& source, std::uint64_t line, const std::string& field,
                    const std::string& reason) {
  std::string s = source + ":" + std::to_string(line) + ": ";
  if (!field.empty()) s += field + ": ";
  return s + reason;
}

/// Field names per tag, the tag first (docs/nexmark.md §3).
constexpr std::array<std::string_view, 9> person_fields{
    "tag", "id", "name", "email", "credit_card", "city", "state", "date_time", "extra"};
constexpr std::array<std::string_view, 11> auction_fields{
    "tag",      "id",      "item_name", "description", "initial_bid", "reserve",
    "date_time", "expires", "seller",    "category",    "extra"};
constexpr std::array<std::string_view, 8> bid_fields{
    "tag", "auction", "bidder", "price", "channel", "url", "date_time", "extra"};
constexpr std::array<std::string_view, 2> watermark_fields{"tag", "ms"};

/// At most 11 fields are kept; the count goes on so that a wrong count is reported exactly.
struct split_line {
  std::array<std::string_view, 11> fields{};
  std::size_t count = 0;
};

split_line split(std::string_view line) {
  split_line out;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t comma = line.find(',', begin);
    const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
    if (out.count < out.fields.size()) out.fields[out.count] = line.substr(begin, end - begin);
    ++out.count;
    if (comma == std::string_view::npos) return out;
    begin = comma + 1;
  }
}

std::string quoted(std::string_view s) {
  constexpr std::size_t shown = 40;
  std::string q = "'";
  for (const char c : s.substr(0, shown)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u <= 0x7e) {
      q += c;
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      q += "\\x";
      q += hex[u >> 4];
      q += hex[u & 15];
    }
  }
  if (s.size() > shown) q += "...";
  return q + "'";
}

}  // namespace

parse_error::parse_error(const std::string& source, std::uint64_t line, std::string field, std::string reason)
    : std::runtime_error(what_of(source, line, field, reason)),
      line_(line),
      field_(std::move(field)),
      reason_(std::move(reason)) {}

csv_line_parser::csv_line_parser(std::string source_name) : source_(std::move(source_name)) {}

void csv_line_parser::fail(std::uint64_t line_no, std::string field, std::string reason) const {
  throw parse_error(source_, line_no, std::move(field), std::move(reason));
}

namespace {

/// The reading of one line's fields, failing through `fail` with the field's name.
template <std::size_t N, class Fail>
struct field_reader {
  const split_line& parts;
  const std::array<std::string_view, N>& names;
  Fail fail;

  std::int64_t integer(std::size_t i) const {
    const std::string_view s = parts.fields[i];
    std::int64_t v = 0;
    const char* first = s.data();
    const char* last = s.data() + s.size();
    if (s.empty()) fail(names[i], "empty, expected a signed 64-bit integer");
    // from_chars accepts neither '+' nor spaces, as the format requires.
    const auto r = std::from_chars(first, last, v);
    if (r.ec == std::errc::result_out_of_range) fail(names[i], quoted(s) + " is out of the signed 64-bit range");
    if (r.ec != std::errc() || r.ptr != last) fail(names[i], quoted(s) + " is not a signed 64-bit integer");
    return v;
  }

  std::string text(std::size_t i) const {
    const std::string_view s = parts.fields[i];
    for (std::size_t k = 0; k < s.size(); ++k) {
      const auto u = static_cast<unsigned char>(s[k]);
      if (u < 0x20 || u > 0x7e)
        fail(names[i], "byte " + quoted(s.substr(k, 1)) + " at offset " + std::to_string(k) +
                           " is outside 0x20-0x7E");
    }
    return std::string(s);
  }
};

}  // namespace

void csv_line_parser::check_time(std::int64_t t, std::uint64_t line_no) {
  if (promised_ && t < *promised_)
    fail(line_no, "date_time",
         std::to_string(t) + " is before the watermark " + std::to_string(*promised_) + " promised on line " +
             std::to_string(promised_line_));
  // max_seen - K, computed without overflow: t < max_seen - K  <=>  max_seen - t > K.
  if (max_delay_ms_ && max_seen_ && *max_seen_ > t &&
      static_cast<std::uint64_t>(*max_seen_) - static_cast<std::uint64_t>(t) > static_cast<std::uint64_t>(*max_delay_ms_))
    fail(line_no, "date_time",
         std::to_string(t) + " breaks the header's max_delay_ms=" + std::to_string(*max_delay_ms_) +
             " promise: an earlier event has date_time " + std::to_string(*max_seen_));
  if (!max_seen_ || t > *max_seen_) max_seen_ = t;
}

std::optional<csv_item> csv_line_parser::parse(std::string_view line, std::uint64_t line_no) {
  if (line.empty()) fail(line_no, "", "empty line");
  if (line.front() == '#') {
    if (line_no == 1) {
      constexpr std::string_view key = "max_delay_ms=";
      const std::size_t at = line.find(key);
      if (at != std::string_view::npos && (at == 0 || line[at - 1] == ' ')) {
        const std::size_t begin = at + key.size();
        const std::size_t end = std::min(line.find(' ', begin), line.size());
        const std::string_view value = line.substr(begin, end - begin);
        std::int64_t k = 0;
        const auto r = std::from_chars(value.data(), value.data() + value.size(), k);
        if (value.empty() || r.ec != std::errc() || r.ptr != value.data() + value.size() || k < 0)
          fail(line_no, "max_delay_ms", quoted(value) + " is not a non-negative 64-bit integer");
        max_delay_ms_ = k;
      }
    }
    return std::nullopt;
  }
  const split_line parts = split(line);
  const std::string_view tag = parts.fields[0];
  auto expect_count = [&](std::size_t want) {
    if (parts.count != want)
      fail(line_no, "", "a '" + std::string(tag) + "' line has " + std::to_string(want) + " fields, this one has " +
                            std::to_string(parts.count));
  };
  auto reader_for = [&](const auto& names) {
    auto f = [this, line_no](std::string_view field, std::string reason) {
      fail(line_no, std::string(field), std::move(reason));
    };
    return field_reader<std::tuple_size_v<std::decay_t<decltype(names)>>, decltype(f)>{parts, names, f};
  };
  if (tag == "P") {
    expect_count(person_fields.size());
    const auto r = reader_for(person_fields);
    person p{r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.integer(7), r.text(8)};
    const auto [it, fresh] = person_lines_.try_emplace(p.id, line_no);
    if (!fresh) fail(line_no, "id", "duplicate person id " + std::to_string(p.id) + " (first on line " + std::to_string(it->second) + ")");
    check_time(p.date_time, line_no);
    return csv_item{event{std::move(p)}};
  }
  if (tag == "A") {
    expect_count(auction_fields.size());
    const auto r = reader_for(auction_fields);
    auction a{r.integer(1), r.text(2),    r.text(3),    r.integer(4), r.integer(5), r.integer(6),
              r.integer(7), r.integer(8), r.integer(9), r.text(10)};
    if (a.expires <= a.date_time)
      fail(line_no, "expires", std::to_string(a.expires) + " is not after date_time " + std::to_string(a.date_time));
    const auto [it, fresh] = auction_lines_.try_emplace(a.id, line_no);
    if (!fresh) fail(line_no, "id", "duplicate auction id " + std::to_string(a.id) + " (first on line " + std::to_string(it->second) + ")");
    check_time(a.date_time, line_no);
    return csv_item{event{std::move(a)}};
  }
  if (tag == "B") {
    expect_count(bid_fields.size());
    const auto r = reader_for(bid_fields);
    bid b{r.integer(1), r.integer(2), r.integer(3), r.text(4), r.text(5), r.integer(6), r.text(7)};
    check_time(b.date_time, line_no);
    return csv_item{event{std::move(b)}};
  }
  if (tag == "W") {
    expect_count(watermark_fields.size());
    const watermark w{reader_for(watermark_fields).integer(1)};
    if (!promised_ || w.ms > *promised_) {
      promised_ = w.ms;
      promised_line_ = line_no;
    }
    return csv_item{w};
  }
  fail(line_no, "tag", "unknown tag " + quoted(tag) + ", expected P, A, B, W or a '#' comment");
}

csv_reader::csv_reader(std::istream& in, std::string source_name) : in_(in), parser_(std::move(source_name)) {}

std::optional<csv_item> csv_reader::next() {
  for (;;) {
    if (!std::getline(in_, line_)) {
      if (in_.bad()) throw std::runtime_error(parser_.source_name() + ": read error after line " + std::to_string(line_no_));
      return std::nullopt;
    }
    ++line_no_;
    // getline stops at EOF without an LF only on a last line that lacks it.
    if (in_.eof())
      throw parse_error(parser_.source_name(), line_no_, "",
                        "the last line has no line end: the input is truncated");
    if (auto item = parser_.parse(line_, line_no_)) return item;
  }
}

csv_contents read_all(std::istream& in, const std::string& source_name) {
  csv_reader reader(in, source_name);
  csv_contents out;
  while (auto item = reader.next()) {
    if (auto* e = std::get_if<event>(&*item)) {
      out.events.push_back(std::move(*e));
    } else {
      out.watermarks.push_back(std::get<watermark>(*item));
    }
  }
  out.max_delay_ms = reader.max_delay_ms();
  return out;
}

csv_contents read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  return read_all(in, path);
}

}  // namespace streamweave::nexmark
