#!/usr/bin/env bash
# Builds a ThreadSanitizer-instrumented oneTBB for the `tsan` preset.
#
#   tools/build-tsan-tbb.sh [PREFIX]        (default PREFIX: build/tsan-deps)
#   export STREAMWEAVE_TSAN_DEPS="$(tools/build-tsan-tbb.sh)"
#   cmake --workflow --preset tsan
#
# Debian's libtbb12 is not instrumented and makes TSan report false positives
# (toolchain notes D2), so this rebuilds the *same* oneTBB version from Debian's source
# package with -DTBB_SANITIZE=thread. apt is pointed at a private deb-src list and
# private state/cache directories under the prefix: the system apt configuration and
# package lists are not touched. Needs dpkg-dev (dpkg-source), cmake, ninja, g++ and
# access to the Debian (or Ubuntu) archive.
#
# TBB must be built with the same compiler as the tsan preset (g++; a clang binary with
# a gcc-TSan libtbb crashes at start-up). Override with STREAMWEAVE_TSAN_CXX/_CC only
# together with the preset's CMAKE_CXX_COMPILER.
#
# A stamp file makes reruns a no-op. Build logs go to stderr; the only line printed on
# stdout is the prefix.
#
# Environment:
#   STREAMWEAVE_TSAN_CXX, STREAMWEAVE_TSAN_CC   compilers (default g++, gcc)
#   STREAMWEAVE_DEBIAN_MIRROR                   default http://deb.debian.org/debian
#   STREAMWEAVE_DEBIAN_SECURITY_MIRROR          default http://deb.debian.org/debian-security
#   STREAMWEAVE_KEEP_WORK=1                     keep PREFIX/_work after a successful build
set -euo pipefail

log() { printf '[build-tsan-tbb] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=${1:-$root/build/tsan-deps}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)

cxx=${STREAMWEAVE_TSAN_CXX:-g++}
cc=${STREAMWEAVE_TSAN_CC:-gcc}
command -v "$cxx" >/dev/null || die "compiler '$cxx' not found"
command -v "$cc" >/dev/null || die "compiler '$cc' not found"
for tool in cmake ninja apt-get dpkg-source dpkg-query; do
  command -v "$tool" >/dev/null || die "'$tool' not found (run tools/install-deps.sh)"
done

# The source package and version of the installed libtbb-dev, so that the TSan build
# matches the headers the rest of the system uses.
src_pkg=onetbb
src_ver=
if info=$(dpkg-query -W -f='${source:Package} ${source:Version}' libtbb-dev 2>/dev/null) &&
   [ -n "$info" ]; then
  src_pkg=${info%% *}
  src_ver=${info#* }
fi

cxx_id=$("$cxx" --version | head -n1)
stamp_text="oneTBB ${src_pkg} ${src_ver:-latest} TBB_SANITIZE=thread CXX=${cxx_id}"
stamp=$prefix/share/streamweave-tsan-tbb.stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_text" ] &&
   [ -f "$prefix/lib/cmake/TBB/TBBConfig.cmake" ]; then
  log "up to date: $stamp_text"
  echo "$prefix"
  exit 0
fi

start=$(date +%s)
log "building $stamp_text into $prefix"
work=$prefix/_work
rm -rf "$work"
mkdir -p "$work"
logfile=$work/build.log
: >"$logfile"
on_error() {
  log "FAILED; last lines of $logfile:"
  tail -n 40 "$logfile" >&2 || true
}
trap on_error ERR

# ---- Private apt configuration (deb-src only) ---------------------------------------
. /etc/os-release
codename=${VERSION_CODENAME:-}
[ -n "$codename" ] || die "cannot determine the distribution codename from /etc/os-release"
# Debian (main) by default; Ubuntu ships oneTBB in universe, from its own archive.
case "${ID:-debian}" in
  ubuntu)
    mirror=${STREAMWEAVE_DEBIAN_MIRROR:-http://archive.ubuntu.com/ubuntu}
    security=${STREAMWEAVE_DEBIAN_SECURITY_MIRROR:-http://security.ubuntu.com/ubuntu}
    components="main universe"
    keyring=/usr/share/keyrings/ubuntu-archive-keyring.gpg
    ;;
  *)
    mirror=${STREAMWEAVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
    security=${STREAMWEAVE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
    components="main"
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    ;;
esac
signed_by=
[ -f "$keyring" ] && signed_by="[signed-by=$keyring] "

apt_dir=$work/apt
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
cat >"$apt_dir/sources.list" <<EOF
deb-src ${signed_by}${mirror} ${codename} ${components}
deb-src ${signed_by}${mirror} ${codename}-updates ${components}
deb-src ${signed_by}${security} ${codename}-security ${components}
EOF
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  # The private directories belong to the caller: download as the caller, not _apt.
  -o "APT::Sandbox::User=$(id -un)"
)

log "fetching the ${src_pkg} source package (private deb-src list)"
apt-get "${apt_opts[@]}" -q update >>"$logfile" 2>&1
mkdir -p "$work/src"
(
  cd "$work/src"
  if [ -n "$src_ver" ] &&
     apt-get "${apt_opts[@]}" -q source --only-source "${src_pkg}=${src_ver}" >>"$logfile" 2>&1; then
    :
  else
    log "version ${src_ver:-?} not available as source, using the newest ${src_pkg}"
    apt-get "${apt_opts[@]}" -q source --only-source "${src_pkg}" >>"$logfile" 2>&1
  fi
)
srcdir=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d | head -n1)
[ -n "$srcdir" ] && [ -f "$srcdir/CMakeLists.txt" ] || die "no unpacked source tree in $work/src"

# ---- Build and install ---------------------------------------------------------------
log "configuring and building $(basename "$srcdir") with $cxx_id (2 jobs)"
cmake -S "$srcdir" -B "$work/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_INSTALL_LIBDIR=lib \
  -DTBB_SANITIZE=thread \
  -DTBB_TEST=OFF \
  -DTBB_EXAMPLES=OFF \
  -DTBB_STRICT=OFF \
  -DTBB_ENABLE_IPO=OFF \
  -DTBB4PY_BUILD=OFF \
  >>"$logfile" 2>&1
cmake --build "$work/build" --parallel 2 >>"$logfile" 2>&1
cmake --install "$work/build" >>"$logfile" 2>&1

mkdir -p "$(dirname "$stamp")"
printf '%s' "$stamp_text" >"$stamp"
trap - ERR
if [ "${STREAMWEAVE_KEEP_WORK:-0}" != 1 ]; then
  rm -rf "$work"
fi
log "done in $(( $(date +%s) - start )) s"
echo "$prefix"
