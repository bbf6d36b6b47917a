#!/usr/bin/env bash
# Builds the Debian package of herald: a Release build in build-release/ (its own directory, so
# the test build in build/ is untouched), the web UI, then CPack's DEB generator. The binary in
# the package is stripped (CPACK_STRIP_FILES); its dependencies are the Debian 12 runtime
# libraries herald links against (dpkg-shlibdeps). Prints the path of the .deb.
# Usage: scripts/package.sh            (BUILD_DIR=… to build elsewhere)
# Install: apt-get install ./build-release/packages/herald_*.deb  (see README "Install the package")
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build-release}"

./scripts/install-deps.sh
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHERALD_BUILD_TESTS=OFF \
    -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
fi
cmake --build "$build" --target herald -j "$(nproc)"
./web/build.sh
rm -f "$build"/packages/herald_*.deb
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$build/packages" >/dev/null
deb="$(ls "$build"/packages/herald_*.deb)"
echo "package: $deb ($(du -h "$deb" | cut -f1))"
