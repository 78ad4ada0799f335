#pragma once
/// \file
/// Bodies of the loop boundary nodes (loop/loop_scope.hpp): each copies a batch's records into
/// a new batch at a changed time. They are the only nodes that emit at a time the tracker
/// cannot read off the input time with an identity summary; the runtime gives it their exact
/// path summaries (enter: `e -> (e, 0)`, leave: `(e, r) -> e`, feedback: `+step` rounds).
///
/// Emitting at a time other than the input batch's is safe without a capability because the
/// output is counted (`+1`) in the same progress batch as the input's consumption (`-1`), and
/// the input's pointstamp implies the output time through the node's summary.
///
/// Feedback nodes never exert back-pressure on their producer: a bounded queue on a cycle
/// could otherwise deadlock (every operator on the cycle waiting for the next one's space).
/// The runtime marks their units *unthrottled* (`internal::unit::unthrottled`): they keep
/// taking input while their own output waits for space, so what a loop has in flight is
/// bounded only by the data it generates.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/node.hpp>
#include <streamweave/loop/loop_time.hpp>

#include <stdexcept>
#include <string>

namespace streamweave::detail {

template <class T>
class loop_boundary_body final : public node_body {
 public:
  loop_boundary_body(loop_role role, timestamp step, std::string loop_name)
      : role_(role), step_(step), loop_name_(std::move(loop_name)) {}

  bool activate(activation& act) override { return act.process_inputs(*this); }

  void on_batch(activation& act, std::size_t, const batch_base& in) override {
    const auto& src = static_cast<const batch<T>&>(in).records;
    owned_batch<T> out(act.pool(0), restamp(in.time), src.size());
    out.get().records.assign(src.begin(), src.end());
    act.emit(0, out.release());
  }

 private:
  timestamp restamp(timestamp t) const {
    switch (role_) {
      case loop_role::enter:
        if (t > loop_time::max_epoch)
          throw std::out_of_range("loop '" + loop_name_ + "': epoch " + std::to_string(t) +
                                  " is beyond the largest epoch a loop can carry (" + std::to_string(loop_time::max_epoch) + ")");
        return loop_time::pack(t, 0);
      case loop_role::leave:
        return loop_time::unpack(t).epoch;
      case loop_role::feedback: {
        const loop_time lt = loop_time::unpack(t);
        if (lt.round > loop_time::max_round - step_)
          throw std::out_of_range("loop '" + loop_name_ + "': a record of epoch " + std::to_string(lt.epoch) +
                                  " would start round " + std::to_string(lt.round + step_) + ", beyond the limit of " +
                                  std::to_string(loop_time::max_round) + " rounds");
        return t + step_;
      }
      case loop_role::none:
        break;
    }
    return t;
  }

  loop_role role_;
  timestamp step_;
  std::string loop_name_;
};

}  // namespace streamweave::detail
