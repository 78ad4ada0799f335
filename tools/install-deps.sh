#!/usr/bin/env bash
# Installs the Debian packages StreamWeave's build, tests and tools need.
# Idempotent: only missing packages are installed, and nothing is printed when none is.
set -euo pipefail

packages=(
  cmake
  ninja-build
  g++
  libtbb-dev
  libconcurrentqueue-dev
  libreaderwriterqueue-dev
  libspdlog-dev
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  librdkafka-dev    # the kafka component (STREAMWEAVE_WITH_KAFKA=AUTO builds it when found)
  ccache
  python3-matplotlib
  python3-prometheus-client  # the Prometheus exporter test parses with its parser
  graphviz          # the DOT exporter test renders with dot -Tsvg
  dpkg-dev          # dpkg-source, for tools/build-tsan-tbb.sh
  clang             # the fuzz preset (tools/fuzz)
  libclang-rt-dev   # libFuzzer and clang's sanitizer runtimes
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed$'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
