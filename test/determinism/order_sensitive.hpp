#pragma once
// Generic operators whose output order depends on the order in which they see their input:
// the determinism tests use them to make any schedule difference visible at the sinks.
#include <streamweave/streamweave.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace streamweave::testing {

/// Holds each epoch's records in arrival order and emits them, plus `offset`, when notified
/// that the epoch is complete.
inline stream<std::uint64_t> hold_per_epoch(const stream<std::uint64_t>& in, const std::string& name,
                                            std::uint64_t offset) {
  using value = std::uint64_t;
  return in.unary<value>(name, [offset](operator_setup& setup) {
    setup.drop_initial_capability();
    std::map<timestamp, std::vector<value>> held;
    return [held, offset](unary_context<value, value>& ctx) mutable {
      ctx.input.for_each([&](input_batch<value>& b) {
        if (b.records().empty()) return;
        auto& h = held[b.time()];
        if (h.empty()) ctx.notify_at(b.retain());
        h.insert(h.end(), b.records().begin(), b.records().end());
      });
      ctx.for_each_notification([&](capability& cap) {
        for (value v : held[cap.time()]) ctx.output.give(cap, v + offset);
        held.erase(cap.time());
      });
    };
  });
}

/// Passes batches of either input through as they come, input 2's records times `factor`.
inline stream<std::uint64_t> interleave(const stream<std::uint64_t>& a, const stream<std::uint64_t>& b,
                                        const std::string& name, std::uint64_t factor) {
  using value = std::uint64_t;
  return a.binary<value>(b, name, [factor](operator_setup& setup) {
    setup.drop_initial_capability();
    return [factor](binary_context<value, value, value>& ctx) {
      ctx.input1.for_each([&](input_batch<value>& in) {
        auto cap = in.retain();
        for (value v : in.records()) ctx.output.give(cap, v);
      });
      ctx.input2.for_each([&](input_batch<value>& in) {
        auto cap = in.retain();
        for (value v : in.records()) ctx.output.give(cap, v * factor);
      });
    };
  });
}

}  // namespace streamweave::testing
