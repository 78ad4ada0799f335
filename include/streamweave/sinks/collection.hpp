#pragma once
/// \file
/// `collection<T>`: what a collecting sink gathered, as `(time, record)` pairs.
/// Thread safety: all members may be called from any thread while the run goes on.
#include <streamweave/detail/batch.hpp>
#include <streamweave/detail/node.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace streamweave {

template <class T>
struct timed {
  timestamp time;
  T record;
  friend bool operator==(const timed&, const timed&) = default;
};

namespace detail {
template <class T>
struct collection_state {
  std::mutex mutex;
  std::vector<timed<T>> items;  // guarded by mutex
};
}  // namespace detail

template <class T>
class collection {
 public:
  explicit collection(std::shared_ptr<detail::collection_state<T>> s) : state_(std::move(s)) {}
  /// A copy of everything collected so far, in arrival order.
  std::vector<timed<T>> items() const {
    std::lock_guard lock(state_->mutex);
    return state_->items;
  }
  /// The records only, in arrival order.
  std::vector<T> records() const {
    std::lock_guard lock(state_->mutex);
    std::vector<T> out;
    out.reserve(state_->items.size());
    for (const auto& i : state_->items) out.push_back(i.record);
    return out;
  }
  /// Records grouped by time.
  std::map<timestamp, std::vector<T>> by_time() const {
    std::lock_guard lock(state_->mutex);
    std::map<timestamp, std::vector<T>> out;
    for (const auto& i : state_->items) out[i.time].push_back(i.record);
    return out;
  }
  std::size_t size() const {
    std::lock_guard lock(state_->mutex);
    return state_->items.size();
  }

 private:
  std::shared_ptr<detail::collection_state<T>> state_;
};

namespace detail {
template <class T>
class collect_body final : public node_body {
 public:
  explicit collect_body(std::shared_ptr<collection_state<T>> s) : state_(std::move(s)) {}
  bool activate(activation& act) override { return act.process_inputs(*this); }
  void on_batch(activation&, std::size_t, const batch_base& in) override {
    const auto& src = static_cast<const batch<T>&>(in).records;
    std::lock_guard lock(state_->mutex);
    for (const T& r : src) state_->items.push_back({in.time, r});
  }

 private:
  std::shared_ptr<collection_state<T>> state_;
};
}  // namespace detail

}  // namespace streamweave
