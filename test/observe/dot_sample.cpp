// Writes the DOT exporters' output for a known graph, for test/observe/check_dot.py to render
// with Graphviz: `dot_sample <dir>` writes <dir>/graph.dot (to_dot(graph), before the run) and
// <dir>/execution.dot (to_dot(execution), after it).
//
// The graph "dot \"sample\"": an input "feed" -> a generic operator "generic" (one instance)
// with the chain "evens" fused into it -> an exchange into 3 instances of the sink "sink"; and
// a source "numbers" -> start_new_chain -> "tail", watched by a probe, with "tail_sink" fused
// into it.
#include <streamweave/streamweave.hpp>

#include "support/passthrough.hpp"

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace sw = streamweave;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: dot_sample <dir>\n";
    return 2;
  }
  const std::string dir = argv[1];
  sw::runtime rt(sw::runtime_options{.threads = 2, .batch_size = 50});
  sw::graph g("dot \"sample\"");
  auto [in, s] = g.input<int>("feed");
  sw::testing::passthrough<int>(s, "generic")
      .filter([](int x) { return x % 2 == 0; }, "evens")
      .exchange([](int x) { return x; }, 3)
      .for_each([](int) {}, "sink");
  std::vector<int> numbers(100, 1);
  auto tail = g.source_from("numbers", numbers).start_new_chain().map([](int x) { return x; }, "tail");
  (void)tail.probe();
  tail.for_each([](int) {}, "tail_sink");
  std::ofstream(dir + "/graph.dot") << sw::to_dot(g);
  auto ex = rt.run(g);
  for (int i = 0; i < 1000; ++i) in.send(i);
  in.close();
  ex.wait();
  std::ofstream(dir + "/execution.dot") << sw::to_dot(ex);
  return 0;
}
