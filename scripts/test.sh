#!/usr/bin/env bash
# Builds herald and runs the whole test suite (ctest), with a real local WordPress and a
# real local Ghost for the platform adapter tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d /tmp/herald-test-logs.XXXXXX)
cleanup() {
  scripts/wordpress/stop.sh >/dev/null 2>&1 || true
  scripts/ghost/stop.sh >/dev/null 2>&1 || true
}
trap cleanup EXIT

./scripts/install-deps.sh
# Ghost's first install takes minutes (cached afterwards): overlap it with the build.
scripts/ghost/start.sh >"$logs/ghost.log" 2>&1 &
ghost_pid=$!

./scripts/build.sh

scripts/wordpress/start.sh >"$logs/wordpress.log" 2>&1 || {
  cat "$logs/wordpress.log"; echo "test.sh: the local WordPress did not start" >&2; exit 1; }
if ! wait "$ghost_pid"; then
  cat "$logs/ghost.log"
  echo "test.sh: the local Ghost did not start" >&2
  exit 1
fi

ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 900
