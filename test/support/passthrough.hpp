#pragma once
// A generic operator (`unary`) that passes every record on at its batch's time: the smallest
// non-fusable operator, for tests that need a node which a following chain is fused into.
#include <streamweave/streamweave.hpp>

#include <string>

namespace streamweave::testing {

template <class T, class Stream>
auto passthrough(const Stream& s, std::string name) {
  return s.template unary<T>(std::move(name), [](operator_setup& setup) {
    setup.drop_initial_capability();
    return [](unary_context<T, T>& ctx) {
      ctx.input.for_each([&](input_batch<T>& b) {
        auto cap = b.retain();
        for (const T& x : b.records()) ctx.output.give(cap, x);
      });
    };
  });
}

}  // namespace streamweave::testing
