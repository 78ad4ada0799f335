// Writing events as `nexmark-csv v1` lines.
#include "csv_format.hpp"

#include <charconv>
#include <variant>

namespace streamweave::nexmark {

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_euro(std::string& out, std::int64_t price) {
  __extension__ typedef __int128 int128;  // price * 908 is exact in 128 bits
  __extension__ typedef unsigned __int128 uint128;
  const int128 v = static_cast<int128>(price) * 908;
  const auto magnitude = static_cast<uint128>(v < 0 ? -v : v);
  if (v < 0) out += '-';
  char buf[24];
  // |v| div 1000 < |price| <= 2^63, so it fits in uint64.
  out.append(buf, std::to_chars(buf, buf + sizeof buf, static_cast<std::uint64_t>(magnitude / 1000)).ptr);
  const auto fraction = static_cast<unsigned>(magnitude % 1000);
  out += '.';
  out += static_cast<char>('0' + fraction / 100);
  out += static_cast<char>('0' + fraction / 10 % 10);
  out += static_cast<char>('0' + fraction % 10);
}

namespace {

void field(std::string& out, const std::string& s) {
  out += ',';
  out += s;
}
void field(std::string& out, std::int64_t v) {
  out += ',';
  append_int(out, v);
}

void append_fields(std::string& out, const person& p) {
  out += 'P';
  field(out, p.id);
  field(out, p.name);
  field(out, p.email);
  field(out, p.credit_card);
  field(out, p.city);
  field(out, p.state);
  field(out, p.date_time);
  field(out, p.extra);
}

void append_fields(std::string& out, const auction& a) {
  out += 'A';
  field(out, a.id);
  field(out, a.item_name);
  field(out, a.description);
  field(out, a.initial_bid);
  field(out, a.reserve);
  field(out, a.date_time);
  field(out, a.expires);
  field(out, a.seller);
  field(out, a.category);
  field(out, a.extra);
}

void append_fields(std::string& out, const bid& b) {
  out += 'B';
  out += ',';
  append_bid_fields(out, b);
}

}  // namespace

void append_bid_fields(std::string& out, const bid& b) {
  append_int(out, b.auction);
  field(out, b.bidder);
  field(out, b.price);
  field(out, b.channel);
  field(out, b.url);
  field(out, b.date_time);
  field(out, b.extra);
}

void append_line(std::string& out, const event& e) {
  std::visit([&](const auto& v) { append_fields(out, v); }, e);
}

void append_watermark_line(std::string& out, std::int64_t ms) {
  out += "W,";
  append_int(out, ms);
}

}  // namespace streamweave::nexmark
