#pragma once
/// \file
/// The untyped side of an exchange: a `partition` is attached to a stream by `exchange` or
/// `key_by` and makes one `router` per producing instance, which splits each batch by key into
/// one batch per consumer instance. The typed implementations and the hash are in
/// graph/exchange.hpp.
#include <streamweave/detail/batch.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace streamweave::detail {

/// Routes the records of one batch to the instances of a partitioned consumer.
class router {
 public:
  virtual ~router() = default;
  /// Splits `in` into per-destination batches taken from `pool`; `out[d]` is nullptr where
  /// destination `d` receives nothing. `out.size()` is the number of destinations.
  /// Thread safety: every producing instance's edge owns its router, and only that instance's
  /// activation calls `route`, never concurrently; a router may keep scratch state.
  virtual void route(const batch_base& in, batch_pool& pool, std::size_t batch_size, std::vector<batch_base*>& out) = 0;
};

/// A keyed exchange attached to a stream: consumers get `instances()` parallel instances.
class partition {
 public:
  virtual ~partition() = default;
  virtual std::size_t instances() const noexcept = 0;
  virtual std::unique_ptr<router> make_router() const = 0;
};

}  // namespace streamweave::detail
