// Must not compile: a key type with no hash. test/keyed/check_compile_error.cmake checks that
// the compiler says so in a few lines, naming what to do.
#include <streamweave/streamweave.hpp>

struct point {
  int x, y;
  bool operator==(const point&) const = default;
};

int main() {
  streamweave::graph g;
  auto [in, s] = g.input<point>("points");
  auto counts = s.key_by([](const point& p) { return p; }, 2).count("per point");
  counts.for_each([](const auto&) {});
}
