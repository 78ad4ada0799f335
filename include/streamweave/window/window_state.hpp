#pragma once
/// \file
/// Building blocks of the windowed operators (window/window_operator.hpp), one instance each:
///  - `time_stash`: records waiting until their batch time is complete, with capabilities at
///    that time; drained in time order, which makes window contents deterministic;
///  - `fire_schedule`: one capability per output time (a window's fire time) and the
///    (key, window) pairs that fire then;
///  - `keyed_windows`: the live (key, window) -> accumulator state.
/// Each keeps the operator's `window_stats` up to date and, when destroyed with content left
/// (a cancelled run), takes its share back out. Not thread-safe: one operator instance each.
#include <streamweave/operators/generic.hpp>
#include <streamweave/window/window_options.hpp>
#include <streamweave/graph/key_hash.hpp>

#include <array>
#include <cstddef>
#include <map>
#include <utility>
#include <vector>

namespace streamweave::detail {

template <class Payload, std::size_t Ports>
class time_stash {
 public:
  struct entry {
    std::array<capability, Ports> caps;  // one per output port, at the batch time
    Payload payload;
  };
  explicit time_stash(window_stats stats) : stats_(std::move(stats)) {}
  time_stash(const time_stash&) = delete;
  time_stash& operator=(const time_stash&) = delete;
  ~time_stash() { stats_.add_buffered(-buffered_); }

  /// The entry for `b`'s time, created with capabilities retained from `b`; `records` more
  /// records are counted as buffered.
  template <class B>
  entry& at(const B& b, std::size_t records) {
    auto [it, fresh] = entries_.try_emplace(b.time());
    if (fresh)
      for (std::size_t p = 0; p < Ports; ++p) it->second.caps[p] = b.retain(p);
    buffered_ += static_cast<std::int64_t>(records);
    stats_.add_buffered(static_cast<std::int64_t>(records));
    return it->second;
  }
  /// Stashes every batch `in` offers now: its records are appended to the vector
  /// `part(payload)` of the entry for its time.
  template <class Port, class Part>
  void receive(Port& in, Part&& part) {
    in.for_each([&](const auto& b) {
      auto& records = part(at(b, b.records().size()).payload);
      records.insert(records.end(), b.records().begin(), b.records().end());
    });
  }
  /// Calls `f(time, entry&)` for every entry before `frontier`, in time order, and drops it
  /// (releasing its capabilities).
  template <class F>
  void drain_before(timestamp frontier, F&& f) {
    while (!entries_.empty() && entries_.begin()->first < frontier) {
      auto node = entries_.extract(entries_.begin());
      const auto n = static_cast<std::int64_t>(records_in(node.mapped().payload));
      buffered_ -= n;
      stats_.add_buffered(-n);
      f(node.key(), node.mapped());
    }
  }

 private:
  template <class R>
  static std::size_t records_in(const std::vector<R>& v) noexcept {
    return v.size();
  }
  template <class A, class B>
  static std::size_t records_in(const std::pair<A, B>& p) noexcept {
    return records_in(p.first) + records_in(p.second);
  }
  std::map<timestamp, entry> entries_;
  std::int64_t buffered_ = 0;
  window_stats stats_;
};

template <class Key>
class fire_schedule {
 public:
  /// `(key, w)` fires at `at`. Unless the slot holds a capability already, it takes
  /// `from.delayed(at)` (`from` is at or before `at`), or a copy of `from` when `delay` is false
  /// (processing-time slots, keyed by wall-clock time).
  void add(timestamp at, const capability& from, const Key& key, const window& w, bool delay = true) {
    slot& s = slots_[at];
    if (!s.cap) s.cap = delay ? from.delayed(at) : from;
    s.members.emplace_back(key, w);
  }
  /// Calls `f(const capability&, const Key&, const window&)` for every pair scheduled before
  /// `limit`, earliest time first, then releases those capabilities. A pair may be reported
  /// that no longer exists (a merged session): `f` checks.
  template <class F>
  void fire_before(timestamp limit, F&& f) {
    while (!slots_.empty() && slots_.begin()->first < limit) {
      auto node = slots_.extract(slots_.begin());
      for (const auto& [key, w] : node.mapped().members) f(node.mapped().cap, key, w);
    }
  }
  /// True when something is scheduled at `at`.
  bool has(timestamp at) const { return slots_.contains(at); }
  /// Lowers the capability of slot `at` to `from`'s time when that is earlier (processing-time
  /// windows, which emit at the earliest batch time of their records).
  void lower(timestamp at, const capability& from) {
    slot& s = slots_.at(at);
    if (from.time() < s.cap.time()) s.cap = from;
  }

 private:
  struct slot {
    capability cap;
    std::vector<std::pair<Key, window>> members;
  };
  std::map<timestamp, slot> slots_;
};

template <class Key, class Acc>
class keyed_windows {
 public:
  using windows = std::map<window, Acc>;
  explicit keyed_windows(window_stats stats) : stats_(std::move(stats)) {}
  keyed_windows(const keyed_windows&) = delete;
  keyed_windows& operator=(const keyed_windows&) = delete;
  ~keyed_windows() { stats_.add_live(-live_); }

  /// The accumulator of `(key, w)`, created by `make()` when missing; `created` tells which.
  template <class Make>
  Acc& get(const Key& key, const window& w, Make&& make, bool& created) {
    windows& ws = keys_[key];
    auto it = ws.find(w);
    created = it == ws.end();
    if (created) {
      it = ws.emplace(w, make()).first;
      count(+1);
    }
    return it->second;
  }
  /// The windows of `key` (created empty when missing; callers adding or erasing windows
  /// directly report it through `count`).
  windows& of(const Key& key) { return keys_[key]; }
  /// Removes `(key, w)` and returns its accumulator through `f(Acc&&)`; false when missing.
  template <class F>
  bool take(const Key& key, const window& w, F&& f) {
    auto kit = keys_.find(key);
    if (kit == keys_.end()) return false;
    auto wit = kit->second.find(w);
    if (wit == kit->second.end()) return false;
    Acc acc = std::move(wit->second);
    kit->second.erase(wit);
    count(-1);
    if (kit->second.empty()) keys_.erase(kit);
    f(std::move(acc));
    return true;
  }
  void count(std::int64_t d) noexcept {
    live_ += d;
    stats_.add_live(d);
  }
  window_stats& stats() noexcept { return stats_; }

 private:
  key_map<Key, windows> keys_;
  std::int64_t live_ = 0;
  window_stats stats_;
};

}  // namespace streamweave::detail
