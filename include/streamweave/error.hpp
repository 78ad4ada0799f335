#pragma once
/// \file
/// The exceptions StreamWeave throws. Every message names the node (operator, input, sink)
/// involved, in single quotes.
///
///  - `graph_error`: the graph is invalid (dangling stream, stream from another graph, a cycle
///    that does not advance time, changing a graph that already runs). Thrown by the builder or
///    by `runtime::run`.
///  - `usage_error`: an API call that is not allowed in the current state (send after close,
///    `advance_to` going backwards, send before the graph runs).
///  - `operator_error`: user code in an operator threw; it stopped the run. Rethrown by
///    `execution::wait()`; the original exception is nested (`std::rethrow_if_nested`).
///  - `cancelled_error`: the run was cancelled (by `execution::cancel()` or by another
///    operator's failure) while a call was waiting on it.
#include <stdexcept>
#include <string>

namespace streamweave {

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class graph_error : public error {
 public:
  using error::error;
};

class usage_error : public error {
 public:
  using error::error;
};

class cancelled_error : public error {
 public:
  using error::error;
};

/// User code in operator `node_name()` threw. The original exception is nested: use
/// `std::rethrow_if_nested(e)` to get it back.
class operator_error : public error, public std::nested_exception {
 public:
  operator_error(std::string node, const std::string& what)
      : error("operator '" + node + "' failed: " + what), node_(std::move(node)) {}
  const std::string& node_name() const noexcept { return node_; }

 private:
  std::string node_;
};

}  // namespace streamweave
