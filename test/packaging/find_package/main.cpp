// Minimal StreamWeave consumer: only the public umbrella header and the library.
#include <streamweave/streamweave.hpp>

#include <cstdio>
#include <cstring>

#define SW_STR2(x) #x
#define SW_STR(x) SW_STR2(x)

int main() {
  const char* expected = SW_STR(STREAMWEAVE_VERSION_MAJOR) "." SW_STR(
      STREAMWEAVE_VERSION_MINOR) "." SW_STR(STREAMWEAVE_VERSION_PATCH);
  const char* v = streamweave::version_string();
  if (v == nullptr || std::strcmp(v, expected) != 0) {
    std::fprintf(stderr, "unexpected streamweave version: %s (expected %s)\n",
                 v ? v : "(null)", expected);
    return 1;
  }
  std::printf("streamweave %s\n", v);
  return 0;
}
