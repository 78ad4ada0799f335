// Minimal StreamWeave consumer: builds and runs a tiny graph through the public API only.
#include <streamweave/streamweave.hpp>

#include <cstdio>
#include <cstring>

int main() {
  if (std::strcmp(streamweave::version_string(), "0.1.0") < 0) return 1;
  streamweave::runtime rt(streamweave::runtime_options{.threads = 2});
  streamweave::graph g("consumer");
  auto [in, s] = g.input<int>("in");
  auto out = s.map([](int x) { return x * 10; }).collect();
  auto run = rt.run(g);
  for (int i = 1; i <= 4; ++i) in.send(i);
  in.close();
  run.wait();
  int sum = 0;
  for (int v : out.records()) sum += v;
  std::printf("streamweave %s: sum %d\n", streamweave::version_string(), sum);
  return sum == 100 ? 0 : 1;
}
