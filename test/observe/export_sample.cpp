// Writes the exporters' output for a known run, for test/observe/check_exports.py to parse with
// real parsers: `export_sample <dir>` writes <dir>/metrics.prom and <dir>/metrics.json.
//
// The run: two graphs (their snapshots exported together). The first graph's name holds the
// characters the Prometheus format escapes (a quote, a backslash, a line feed); its source
// sends 1000 records, of which `keep` passes the 500 even ones to a sink of 2 instances through
// an exchange. The second graph has an input handle that sent 7 records at time 3 and then
// stays open (its frontier is 3) when the snapshot is taken, and a probe that saw one epoch
// close (the advance from 0 to 3), and an operator `holder` holding two capabilities at time
// 10. <dir>/metrics-open.json is the second graph's snapshot.
#include <streamweave/streamweave.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace sw = streamweave;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: export_sample <dir>\n";
    return 2;
  }
  const std::string dir = argv[1];
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 100});

  sw::graph first("quote\" backslash\\ newline\n end");
  std::vector<int> numbers(1000);
  for (int i = 0; i < 1000; ++i) numbers[static_cast<std::size_t>(i)] = i;
  first.source_from("numbers", numbers)
      .start_new_chain()
      .filter([](int x) { return x % 2 == 0; }, "keep")
      .exchange([](int x) { return x; }, 2)
      .for_each([](int) {}, "sink");
  auto run_first = rt.run(first);
  run_first.wait();

  sw::graph second("open");
  auto [in, s] = second.input<int>("feed");
  auto watched = s.map([](int v) { return v; }, "watched");
  auto done = watched.probe();
  watched.for_each([](int) {}, "drain");
  // Holds two capabilities at time 10 (one and its copy) from its first batch until its input
  // is done.
  watched.unary<int>("holder", [](sw::operator_setup& setup) {
    setup.drop_initial_capability();
    return [held = std::vector<sw::capability>{}](sw::unary_context<int, int>& ctx) mutable {
      ctx.input.for_each([&](sw::input_batch<int>& b) {
        if (held.empty()) {
          held.push_back(b.retain().delayed(10));
          held.push_back(held.back());
        }
      });
      if (ctx.input.done()) held.clear();
    };
  }).for_each([](int) {}, "after holder");
  auto run_second = rt.run(second);
  in.advance_to(3);
  done.wait_until_complete(2);  // one epoch-latency sample: the advance from 0 to 3
  for (int i = 0; i < 7; ++i) in.send(i);
  in.flush();
  // The drain's frontier moves to 3 once the tracker has seen the advance; wait for that.
  auto frontier_of_drain = [&] {
    for (const auto& m : run_second.metrics().instances)
      if (m.node == "drain") return m.inputs.at(0).frontier;
    return sw::timestamp{0};
  };
  while (frontier_of_drain() != 3) {
  }
  auto second_snapshot = run_second.metrics();
  while (true) {  // and for the 7 records to arrive, so the exported counts are known
    std::uint64_t in_drain = 0;
    for (const auto& m : second_snapshot.instances)
      if (m.node == "drain") in_drain += m.records_in;
    std::int64_t held = 0;  // and for the holder's activation that took its capabilities to end
    for (const auto& m : second_snapshot.instances)
      if (m.node == "holder") held += m.outputs.at(0).capabilities;
    if (in_drain == 7 && held == 2) break;
    second_snapshot = run_second.metrics();
  }

  const std::vector<sw::metrics_snapshot> both = {run_first.metrics(), second_snapshot};
  std::ofstream(dir + "/metrics.prom") << sw::to_prometheus_text(both);
  std::ofstream(dir + "/metrics.json") << sw::to_json(both[0]);
  std::ofstream(dir + "/metrics-open.json") << sw::to_json(both[1]);
  in.close();
  run_second.wait();
  return 0;
}
