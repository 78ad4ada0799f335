#pragma once
/// \file
/// Small helpers for writing Graphviz DOT text (lib/observe/graph_dot.cpp and
/// lib/runtime/execution_dot.cpp).
#include <string>
#include <string_view>

namespace streamweave::internal {

/// `s` as the inside of a DOT double-quoted string, with `\n` in it left as a line break of
/// the label: a quote and a backslash are escaped, a real line feed becomes `\n`.
inline std::string dot_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

/// `"text"`, escaped.
inline std::string dot_quoted(std::string_view s) { return "\"" + dot_escape(s) + "\""; }

}  // namespace streamweave::internal
