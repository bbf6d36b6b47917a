#!/usr/bin/env bash
# Builds herald and runs the whole test suite (ctest) on both database backends: SQLite, and
# PostgreSQL on a throw-away local cluster (or on your own server: set HERALD_TEST_PG_URL to
# a URL whose user may create databases; the suite makes and drops one per test). A real
# local WordPress and a real local Ghost serve the platform adapter tests. Exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d /tmp/herald-test-logs.XXXXXX)
started_pg=""
cleanup() {
  [ -z "$started_pg" ] || scripts/postgres/stop.sh --purge >/dev/null 2>&1 || true
  scripts/wordpress/stop.sh >/dev/null 2>&1 || true
  scripts/ghost/stop.sh >/dev/null 2>&1 || true
}
trap cleanup EXIT

./scripts/install-deps.sh
# Ghost's first install takes minutes (cached afterwards): overlap it with the build.
scripts/ghost/start.sh >"$logs/ghost.log" 2>&1 &
ghost_pid=$!

./scripts/build.sh

if [ -z "${HERALD_TEST_PG_URL:-}" ]; then
  # A cluster of this run's own, so parallel runs (and a developer's cluster) never meet.
  HERALD_PG_DIR=$(mktemp -d /tmp/herald-pg-test.XXXXXX)
  export HERALD_PG_DIR
  HERALD_TEST_PG_URL=$(scripts/postgres/start.sh) || {
    echo "test.sh: the throw-away PostgreSQL did not start" >&2; exit 1; }
  started_pg=1
fi
export HERALD_TEST_PG_URL

scripts/wordpress/start.sh >"$logs/wordpress.log" 2>&1 || {
  cat "$logs/wordpress.log"; echo "test.sh: the local WordPress did not start" >&2; exit 1; }
if ! wait "$ghost_pid"; then
  cat "$logs/ghost.log"
  echo "test.sh: the local Ghost did not start" >&2
  exit 1
fi

# HERALD_TEST_RUNS=N runs the whole suite N times in a row (a determinism check); any
# failing run fails the script.
runs=${HERALD_TEST_RUNS:-1}
for ((run = 1; run <= runs; run++)); do
  [ "$runs" -eq 1 ] || echo "== test.sh: run $run of $runs"
  ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 900
done

# clang-tidy on src/ (the checks in .clang-tidy; about 7 minutes on 2 cores): no warning.
scripts/tidy.sh build

# A short run of every fuzz target (about 20 s each; clang builds only the sources they
# exercise). The long runs and the sanitizer suites are fuzz/run.sh MINUTES,
# scripts/sanitize.sh and scripts/tsan.sh (README.md, "Fuzzing and sanitizers").
fuzz/run.sh 0.33
