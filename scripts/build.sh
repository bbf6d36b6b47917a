#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds herald into build/ and the
# web UI into web/dist/ (which `herald serve` finds beside build/herald).
# Usage: scripts/build.sh [extra cmake --build args]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
  # CI builds treat warnings as errors; a developer's compiler may know newer warnings.
  werror=OFF
  [ -z "${CI:-}" ] || werror=ON
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHERALD_WERROR=$werror >/dev/null
fi
cmake --build build -j "$(nproc)" "$@"
./web/build.sh
