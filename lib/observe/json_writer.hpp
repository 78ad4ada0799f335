#pragma once
/// \file
/// `json_writer`: appends JSON to a string, placing the commas itself (lib/observe/json_text.cpp,
/// lib/runtime/trace_writer.cpp). Strings are escaped as JSON requires; UTF-8 passes through.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace streamweave::internal {

class json_writer {
 public:
  explicit json_writer(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    comma();
    string(k);
    out_ += ':';
    after_key_ = true;
  }
  template <class V>
  void field(std::string_view k, const V& v) {
    key(k);
    value(v);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(std::string_view s) {
    comma();
    string(s);
  }
  void value(double v) {
    comma();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    out_ += buf;
  }
  void value(std::uint64_t v) {
    comma();
    out_ += std::to_string(v);
  }
  void value(std::int64_t v) {
    comma();
    out_ += std::to_string(v);
  }
  void value(bool v) {
    comma();
    out_ += v ? "true" : "false";
  }
  void null() {
    comma();
    out_ += "null";
  }

 private:
  void open(char c) {
    comma();
    out_ += c;
    first_ = true;
  }
  void close(char c) {
    out_ += c;
    first_ = false;
  }
  /// A separator before every element but the first of its object or array (none after a key).
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }
  void string(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"') out_ += "\\\"";
      else if (c == '\\') out_ += "\\\\";
      else if (u < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", u);
        out_ += buf;
      } else out_ += c;  // UTF-8 passes through as it is
    }
    out_ += '"';
  }

  std::string& out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace streamweave::internal
