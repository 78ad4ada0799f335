// Writes an activation trace of a known run, for test/observe/check_trace.py:
// `trace_sample <dir>` writes <dir>/trace.json (execution::write_trace) and <dir>/expected.json
// (the activation count of every unit head from execution::metrics(), and the probe's last
// frontier), which the checker compares with the trace.
//
// The run: an input sending 20 epochs of 100 records (advance_to after each) -> map "inc" ->
// exchange into 2 instances of "sink"; a probe on "inc". Capacity 1 << 16 spans per unit, so
// nothing is overwritten.
#include <streamweave/streamweave.hpp>

#include <fstream>
#include <iostream>
#include <string>

namespace sw = streamweave;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: trace_sample <dir>\n";
    return 2;
  }
  const std::string dir = argv[1];
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 16, .trace_capacity = 1 << 16});
  sw::graph g("traced");
  auto [in, s] = g.input<int>("feed");
  auto inc = s.map([](int v) { return v + 1; }, "inc");
  auto done = inc.probe();
  inc.exchange([](int v) { return v; }, 2).for_each([](int) {}, "sink");
  auto ex = rt.run(g);
  for (sw::timestamp t = 0; t < 20; ++t) {
    for (int i = 0; i < 100; ++i) in.send(i);
    in.advance_to(t + 1);
    done.wait_until_complete(t);
  }
  in.close();
  ex.wait();
  ex.write_trace(dir + "/trace.json");
  const auto snap = ex.metrics();
  std::ofstream expected(dir + "/expected.json");
  expected << "{\"activations\": {";
  bool first = true;
  for (const auto& m : snap.instances) {
    if (m.fused) continue;
    expected << (first ? "" : ", ") << "\"" << m.node << " #" << m.instance << "\": " << m.activations;
    first = false;
  }
  expected << "}, \"records\": {";
  first = true;
  for (const auto& m : snap.instances) {
    if (m.fused) continue;
    expected << (first ? "" : ", ") << "\"" << m.node << " #" << m.instance << "\": " << m.records_in;
    first = false;
  }
  expected << "}}\n";
  return 0;
}
