// Every public call in every state of a run (before it, running, completed, failed,
// cancelled, destroyed), from several threads at once, and records whose copies or moves
// throw on every path that copies or moves a record. Nothing may crash, hang, leak or lose a
// record silently: each call either works or throws the documented error.
#include <streamweave/streamweave.hpp>

#include "support/watchdog.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sw = streamweave;
using namespace std::chrono_literals;

namespace {

enum class state { before_run, running, completed, failed, cancelled, destroyed };

const char* to_string(state s) {
  switch (s) {
    case state::before_run: return "before the run";
    case state::running: return "running";
    case state::completed: return "completed";
    case state::failed: return "failed";
    case state::cancelled: return "cancelled";
    case state::destroyed: return "execution destroyed";
  }
  return "?";
}

/// A graph with one of every handle, brought into state `s`.
struct fixture {
  sw::runtime rt{sw::runtime_options{.threads = 2, .batch_size = 4}};
  sw::graph g{"misuse"};
  std::pair<sw::input_handle<int>, sw::stream<int>> io = g.input<int>("in");
  sw::input_handle<int> in = io.first;
  sw::probe probe = io.second.probe();
  sw::output_handle<int> out = io.second.map([](int x) {
                                            if (x < 0) throw std::runtime_error("negative");
                                            return x;
                                          }, "checked")
                                   .output(16, "out");
  sw::collection<int> got = io.second.collect("all");
  std::optional<sw::execution> ex;

  explicit fixture(state s) {
    if (s == state::before_run) return;
    ex.emplace(rt.run(g));
    in.send(1);
    switch (s) {
      case state::completed:
        in.close();
        ex->wait();
        break;
      case state::failed:
        try {
          in.send(-1);
          in.flush();
        } catch (const sw::cancelled_error&) {
          // the failure stopped the run while the flush waited for space
        }
        EXPECT_THROW(ex->wait(), sw::operator_error);
        break;
      case state::cancelled:
        ex->cancel();
        EXPECT_THROW(ex->wait(), sw::cancelled_error);
        break;
      case state::destroyed:
        ex.reset();
        break;
      default:
        break;
    }
  }
};

template <class F>
void expect_error_or_ok(const char* call, state s, bool ok, F f) {
  try {
    f();
    EXPECT_TRUE(ok) << call << " " << to_string(s) << " should throw";
  } catch (const sw::error& e) {
    EXPECT_FALSE(ok) << call << " " << to_string(s) << " threw: " << e.what();
    EXPECT_NE(std::string(e.what()).find("'in'"), std::string::npos) << call << ": " << e.what();
  }
}

}  // namespace

TEST(Misuse, EveryInputCallInEveryState) {
  for (state s : {state::before_run, state::running, state::completed, state::failed, state::cancelled, state::destroyed}) {
    SCOPED_TRACE(to_string(s));
    sw::testing::watchdog dog(std::string("input calls ") + to_string(s), 30s);
    fixture f(s);
    const bool live = s == state::running;
    expect_error_or_ok("send", s, live, [&] { f.in.send(2); });
    expect_error_or_ok("send(span)", s, live, [&] { f.in.send(std::vector<int>{3, 4}); });
    expect_error_or_ok("try_send", s, live, [&] { (void)f.in.try_send(5); });
    expect_error_or_ok("flush", s, live, [&] { f.in.flush(); });
    // Before the run advance_to sets the starting time; on a stopped run it throws.
    expect_error_or_ok("advance_to", s, live || s == state::before_run, [&] { f.in.advance_to(f.in.time() + 1); });
    EXPECT_THROW(f.in.advance_to(std::numeric_limits<sw::timestamp>::max()), sw::usage_error);
    EXPECT_NO_THROW(f.in.close());
    EXPECT_NO_THROW(f.in.close());  // idempotent
    EXPECT_THROW(f.in.send(9), sw::usage_error) << "send after close";
    EXPECT_EQ(f.in.name(), "in");
    if (f.ex) {
      if (s == state::running) {
        EXPECT_NO_THROW(f.ex->wait());
      }
    }
  }
}

TEST(Misuse, EveryObserverCallInEveryState) {
  for (state s : {state::before_run, state::running, state::completed, state::failed, state::cancelled, state::destroyed}) {
    SCOPED_TRACE(to_string(s));
    sw::testing::watchdog dog(std::string("observer calls ") + to_string(s), 30s);
    fixture f(s);
    // Probe: lock-free reads, and waits that end on completion, on a stopped run or on timeout.
    (void)f.probe.frontier();
    const bool done = f.probe.done();
    EXPECT_EQ(done, s == state::completed) << "done() " << to_string(s);
    EXPECT_EQ(f.probe.is_complete(0), done || (s == state::running && f.probe.frontier() > 0));
    const bool waited = f.probe.wait_until_complete(0, 20ms);
    if (s == state::completed) {
      EXPECT_TRUE(waited);
    } else if (s != state::running) {
      EXPECT_FALSE(waited);
    }
    // Output handle: records stay poppable; pop ends at the end of the stream or a stopped run.
    int popped = 0;
    while (f.out.try_pop()) ++popped;
    EXPECT_FALSE(f.out.pop(10ms).has_value());
    EXPECT_EQ(f.out.finished(), s == state::completed);
    if (s == state::completed) {
      EXPECT_EQ(popped, 1);
    }
    (void)f.got.items();
    (void)f.got.by_time();
    // Execution.
    if (f.ex) {
      f.ex->cancel();  // a no-op once the run is over
      f.ex->cancel();
      try {
        EXPECT_TRUE(f.ex->wait_for(10s));
        EXPECT_EQ(s, state::completed);
      } catch (const sw::operator_error&) {
        EXPECT_EQ(s, state::failed);
      } catch (const sw::cancelled_error&) {
        EXPECT_TRUE(s == state::cancelled || s == state::running);
      }
      EXPECT_TRUE(f.ex->done());
      (void)f.ex->stats();
      EXPECT_EQ(f.ex->completed(), s == state::completed);
    }
    // The graph is frozen once it ran.
    if (s != state::before_run) {
      EXPECT_THROW((void)f.g.input<int>("late"), sw::graph_error);
      EXPECT_THROW(f.rt.run(f.g), sw::graph_error) << "a graph runs once";
    }
  }
}

TEST(Misuse, EveryEventTimeInputCallInEveryState) {
  struct ev {
    sw::timestamp t;
  };
  for (state s : {state::before_run, state::running, state::completed, state::cancelled, state::destroyed}) {
    SCOPED_TRACE(to_string(s));
    sw::testing::watchdog dog(std::string("event-time input calls ") + to_string(s), 30s);
    sw::runtime rt(sw::runtime_options{.threads = 2});
    sw::graph g;
    auto [in, stream] = sw::add_event_time_input<ev>(g, "events", [](const ev& e) { return e.t; },
                                                    {.max_disorder = 2, .partitions = 2});
    auto got = stream.collect();
    std::optional<sw::execution> ex;
    if (s != state::before_run) {
      ex.emplace(rt.run(g));
      in.send(0, {5});
      if (s == state::completed) {
        in.close();
        ex->wait();
      } else if (s == state::cancelled) {
        ex->cancel();
      } else if (s == state::destroyed) {
        ex.reset();
      }
    }
    const bool live = s == state::running;
    // Each call works, or throws one of the library's errors; none crashes or hangs.
    auto call = [&](const char* what, auto f) {
      try {
        f();
      } catch (const sw::error& e) {
        EXPECT_FALSE(live) << what << " threw on a running input: " << e.what();
        EXPECT_NE(std::string(e.what()).find("'events'"), std::string::npos) << what << ": " << e.what();
      }
    };
    call("send", [&] { in.send(1, {9}); });
    call("mark_idle", [&] { in.mark_idle(1); });
    call("poll_idle", [&] { in.poll_idle(); });
    call("advance_to", [&] { in.advance_to(20); });
    call("flush", [&] { in.flush(); });
    EXPECT_THROW(in.send(7, {1}), sw::usage_error) << "partition out of range";
    EXPECT_THROW(in.advance_to(std::numeric_limits<sw::timestamp>::max()), sw::usage_error);
    EXPECT_LE(in.watermark(), sw::max_timestamp);
    EXPECT_NO_THROW(in.close());
    if (ex) {
      try {
        ex->wait();
        EXPECT_TRUE(s == state::running || s == state::completed);
      } catch (const sw::cancelled_error&) {
        EXPECT_EQ(s, state::cancelled);
      }
    }
    if (s == state::running) {
      EXPECT_EQ(got.size(), 2u);
    }
  }
}

TEST(Misuse, ManyThreadsOnOneExecutionAndHandle) {
  sw::testing::watchdog dog("many threads", 60s);
  for (int trial = 0; trial < 20; ++trial) {
    sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 2, .queue_capacity = 1});
    sw::graph g;
    auto [in, s] = g.input<int>("in");
    auto p = s.probe();
    auto out = s.output(2);
    auto ex = rt.run(g);
    std::vector<std::thread> threads;
    std::atomic<int> errors{0};
    for (int k = 0; k < 3; ++k)
      threads.emplace_back([h = in, &errors]() mutable {
        try {
          for (int i = 0; i < 200; ++i) h.send(i);
        } catch (const sw::cancelled_error&) {
        } catch (...) {
          ++errors;
        }
      });
    threads.emplace_back([&] {
      while (out.pop(5ms)) {
      }
    });
    threads.emplace_back([&] { (void)p.wait_until_complete(0, 50ms); });
    threads.emplace_back([&ex] {
      try {
        ex.wait();
      } catch (const sw::cancelled_error&) {
      }
    });
    threads.emplace_back([&ex, trial] {
      std::this_thread::sleep_for(std::chrono::microseconds(trial * 200));
      ex.cancel();
    });
    threads.emplace_back([&ex] {
      try {
        (void)ex.wait_for(10ms);
      } catch (const sw::cancelled_error&) {
      }
    });
    for (auto& t : threads) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_TRUE(ex.done());
  }
}

TEST(Misuse, ConcurrentRunsOfOneGraphHaveOneWinner) {
  for (int trial = 0; trial < 50; ++trial) {
    sw::runtime rt(sw::runtime_options{.threads = 2});
    sw::graph g;
    auto [in, s] = g.input<int>("in");
    auto got = s.collect();
    std::atomic<int> won{0}, refused{0};
    std::vector<std::optional<sw::execution>> runs(4);
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k)
      threads.emplace_back([&, k] {
        try {
          runs[k].emplace(rt.run(g));
          ++won;
        } catch (const sw::graph_error&) {
          ++refused;
        }
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 1);
    EXPECT_EQ(refused.load(), 3);
    in.send(trial);
    in.close();
    for (auto& r : runs)
      if (r) r->wait();
    EXPECT_EQ(got.size(), 1u);
  }
}

TEST(Misuse, DestroyingTheExecutionReleasesABlockedSender) {
  sw::testing::watchdog dog("destroy with a blocked sender", 30s);
  sw::runtime rt(sw::runtime_options{.threads = 1, .batch_size = 1, .queue_capacity = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto out = s.output(1);  // never popped: the sender blocks
  std::optional<sw::execution> ex(rt.run(g));
  std::atomic<bool> released{false};
  std::thread sender([h = in, &released]() mutable {
    try {
      for (int i = 0; i < 100; ++i) h.send(i);
    } catch (const sw::cancelled_error&) {
      released = true;
    }
  });
  std::this_thread::sleep_for(50ms);
  ex.reset();  // cancels, waits for its tasks, detaches the handles
  sender.join();
  EXPECT_TRUE(released.load());
  EXPECT_THROW(in.send(1), sw::error);
  while (out.try_pop()) {  // what the sink took before stays poppable
  }
  EXPECT_FALSE(out.pop(std::chrono::nanoseconds::max()).has_value()) << "pop() must end: the run is gone";
  EXPECT_FALSE(out.finished());
}

TEST(Misuse, TheRuntimeMayGoBeforeItsExecutions) {
  std::optional<sw::runtime> rt(sw::runtime_options{.threads = 2});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto got = s.collect();
  auto ex = rt->run(g);
  rt.reset();  // the execution keeps the arena alive
  for (int i = 0; i < 100; ++i) in.send(i);
  in.close();
  ex.wait();
  EXPECT_EQ(got.size(), 100u);
}

TEST(Misuse, SmallestOptionsRunEveryKindOfNode) {
  sw::runtime rt(sw::runtime_options{.threads = 1, .batch_size = 1, .queue_capacity = 1, .activation_budget = 1});
  sw::graph g;
  auto [in, s] = g.input<int>("in");
  auto keyed = s.key_by([](int x) { return x % 5; }, 3).count("count");
  auto looped = sw::iterate(s, "halve", [](const sw::stream<int>& v) {
    const sw::stream<int> h = v.map([](int x) { return x / 2; });
    return std::pair{h.filter([](int x) { return x > 0; }), h};
  });
  auto a = keyed.collect();
  auto b = looped.output(1);
  auto ex = rt.run(g);
  std::thread reader([&] {
    while (b.pop()) {
    }
  });
  for (int t = 0; t < 5; ++t) {
    for (int i = 0; i < 20; ++i) in.send(i);
    in.advance_to(static_cast<sw::timestamp>(t + 1));
  }
  in.close();
  reader.join();
  ex.wait();
  EXPECT_EQ(a.size(), 25u);  // 5 keys x 5 epochs
}

namespace {

/// Copies and moves that throw on demand: the n-th copy (or move) from now throws.
struct brittle {
  static inline std::atomic<long> copies_left{-1};  // < 0: never throw
  static inline std::atomic<long> moves_left{-1};
  int v = 0;
  brittle() = default;
  explicit brittle(int x) : v(x) {}
  brittle(const brittle& o) : v(o.v) { tick(copies_left, "copy"); }
  brittle(brittle&& o) : v(o.v) { tick(moves_left, "move"); }  // NOLINT: may throw on purpose
  brittle& operator=(const brittle& o) {
    tick(copies_left, "copy");
    v = o.v;
    return *this;
  }
  brittle& operator=(brittle&& o) {  // NOLINT
    tick(moves_left, "move");
    v = o.v;
    return *this;
  }
  friend bool operator<(const brittle& a, const brittle& b) { return a.v < b.v; }
  static void tick(std::atomic<long>& left, const char* what) {
    if (left.load() < 0) return;
    if (left.fetch_sub(1) == 0) throw std::runtime_error(std::string("brittle ") + what);
  }
  static void disarm() {
    copies_left = -1;
    moves_left = -1;
  }
};

/// One path that copies or moves records, as a graph from input `in` to a sink.
using path_builder = void (*)(sw::stream<brittle>);

void through_map(sw::stream<brittle> s) { s.map([](const brittle& b) { return b; }, "map").for_each([](const brittle&) {}); }
void through_exchange(sw::stream<brittle> s) {
  s.map([](const brittle& b) { return b; }, "before exchange")
      .exchange([](const brittle& b) { return b.v; }, 3)
      .for_each([](const brittle&) {}, "after exchange");
}
void into_collect(sw::stream<brittle> s) { (void)s.collect("collect"); }
void into_output(sw::stream<brittle> s) {
  auto out = s.output(1 << 20, "output");
  (void)out;
}
void through_generic(sw::stream<brittle> s) {
  s.unary<brittle>("generic", [](sw::operator_setup& setup) {
     setup.drop_initial_capability();
     return [](sw::unary_context<brittle, brittle>& ctx) {
       ctx.input.for_each([&](sw::input_batch<brittle>& b) {
         auto cap = b.retain();
         for (const brittle& r : b.records()) ctx.output.give(cap, r);
       });
     };
   }).for_each([](const brittle&) {});
}
void through_loop(sw::stream<brittle> s) {
  sw::iterate(s, "loop", [](const sw::stream<brittle>& v) {
    const sw::stream<brittle> next = v.map([](const brittle& b) { return brittle(b.v / 2); }, "halve");
    return std::pair{next.filter([](const brittle& b) { return b.v > 0; }, "more"), next};
  }).for_each([](const brittle&) {});
}
void through_reduce(sw::stream<brittle> s) {
  s.key_by([](const brittle& b) { return b.v % 4; }, 2)
      .reduce("reduce", [](brittle acc, const brittle& b) { return brittle(acc.v + b.v); })
      .for_each([](const auto&) {});
}

}  // namespace

TEST(Misuse, ThrowingCopiesAndMovesStopTheRunCleanly) {
  const std::vector<std::pair<const char*, path_builder>> paths{
      {"map", through_map},         {"exchange", through_exchange}, {"collect", into_collect},
      {"output", into_output},      {"generic", through_generic},   {"loop", through_loop},
      {"reduce", through_reduce}};
  int stopped = 0, completed = 0;
  for (const auto& [path, build] : paths) {
    for (long after : {0L, 1L, 7L, 40L, 300L}) {
      for (bool moves : {false, true}) {
        SCOPED_TRACE(std::string(path) + (moves ? ": move " : ": copy ") + std::to_string(after) + " throws");
        sw::testing::watchdog dog(std::string("throwing records through ") + path, 30s);
        sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 3, .queue_capacity = 2});
        sw::graph g;
        auto [in, s] = g.input<brittle>("in");
        build(s);
        auto ex = rt.run(g);
        for (int i = 0; i < 50; ++i) in.send(brittle(i + 1));
        in.advance_to(1);
        (moves ? brittle::moves_left : brittle::copies_left) = after;
        try {
          for (int i = 0; i < 50; ++i) in.send(brittle(i + 1));
          in.close();
        } catch (const sw::cancelled_error&) {
          // the run stopped (a record's copy threw in an operator) while a send waited
        } catch (const sw::error& e) {
          ADD_FAILURE() << "a send threw " << e.what();
        } catch (const std::runtime_error& e) {
          // the move into the input's batch threw: that record was not sent
          EXPECT_EQ(std::string(e.what()), "brittle move");
        }
        in.close();
        try {
          ex.wait();
          ++completed;
        } catch (const sw::operator_error& e) {
          ++stopped;
          std::string inner;
          try {
            std::rethrow_if_nested(e);
          } catch (const std::exception& x) {
            inner = x.what();
          }
          EXPECT_EQ(inner.rfind("brittle", 0), 0u) << "wrapped " << e.what();
        }
        brittle::disarm();
      }
    }
  }
  std::printf("throwing records: %d runs stopped with operator_error, %d completed\n", stopped, completed);
  EXPECT_GT(stopped, 0);
}

TEST(Misuse, BuildersThatThrowAnythingAreOperatorErrors) {
  sw::runtime rt(sw::runtime_options{.threads = 1});
  {
    sw::graph g;
    auto [in, s] = g.input<int>("in");
    s.sink("counting sink", [](sw::operator_setup&) -> std::function<void(int)> { throw 42; });
    try {
      auto ex = rt.run(g);
      FAIL() << "accepted";
    } catch (const sw::operator_error& e) {
      EXPECT_EQ(e.node_name(), "counting sink");
      EXPECT_NE(std::string(e.what()).find("unknown exception"), std::string::npos) << e.what();
    }
  }
  {
    sw::graph g;
    struct tick {
      sw::timestamp t;
    };
    auto s = sw::add_event_time_source(
        g, "clock", 2,
        [](std::size_t i, std::size_t) -> std::function<std::optional<tick>()> {
          if (i == 1) throw std::invalid_argument("no clock 1");
          return [] { return std::optional<tick>(); };
        },
        [](const tick& k) { return k.t; }, 0);
    s.for_each([](const tick&) {});
    try {
      auto ex = rt.run(g);
      FAIL() << "accepted";
    } catch (const sw::operator_error& e) {
      EXPECT_EQ(e.node_name(), "clock");
    }
  }
}
