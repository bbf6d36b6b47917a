#!/usr/bin/env bash
# Builds herald and runs the whole test suite (ctest). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600
