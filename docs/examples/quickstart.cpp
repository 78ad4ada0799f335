// Quick start: words per epoch from an input fed by this thread.
#include <streamweave/streamweave.hpp>

#include <cstdio>
#include <string>

int main() {
  streamweave::runtime rt;                                    // a oneTBB arena, all cores
  streamweave::graph g("quickstart");
  auto [lines, text] = g.input<std::string>("lines");         // fed from outside threads
  auto words = text.flat_map([](const std::string& line) {    // split lines into words
    std::vector<std::string> out;
    for (std::size_t i = 0, j; i < line.size(); i = j + 1) {
      j = line.find(' ', i);
      if (j == std::string::npos) j = line.size();
      if (j > i) out.push_back(line.substr(i, j - i));
    }
    return out;
  });
  auto done = words.probe();                                  // is epoch t complete?
  auto result = words.collect("words");
  auto run = rt.run(g);
  lines.send("hello dataflow world");
  lines.advance_to(1);                                        // epoch 0 is closed
  done.wait_until_complete(0);                                // ... and fully processed
  std::printf("epoch 0: %zu words\n", result.size());
  lines.close();
  run.wait();                                                 // rethrows operator errors
  return result.size() == 3 ? 0 : 1;
}
