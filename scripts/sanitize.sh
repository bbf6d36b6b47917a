#!/usr/bin/env bash
# Builds herald and its whole test suite with AddressSanitizer + UndefinedBehaviorSanitizer
# (gcc, in build-asan/) and runs every ctest test under them on both backends: SQLite, and
# PostgreSQL on a throw-away local cluster (or your own: set HERALD_TEST_PG_URL). The
# WordPress/Ghost platform tests skip themselves unless those servers run (scripts/test.sh
# starts them); the browser tests of the web UI (label ui) are left out. Any sanitizer report
# aborts its test, so the run fails. A full build: 30-50 minutes on a busy 2-core VM.
# Usage: scripts/sanitize.sh [extra ctest args, e.g. -R Dispatch]
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
build=build-asan
# -O1 -g1 (line tables): sanitizers' usual setting, and about a third quicker to build than
# -O2 -g with reports that still name file and line.
flags="-O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
fi
cmake --build "$build" -j "$(nproc)"

started_pg=""
cleanup() { [ -z "$started_pg" ] || scripts/postgres/stop.sh --purge >/dev/null 2>&1 || true; }
trap cleanup EXIT
if [ -z "${HERALD_TEST_PG_URL:-}" ]; then
  HERALD_PG_DIR=$(mktemp -d /tmp/herald-pg-asan.XXXXXX)
  export HERALD_PG_DIR
  HERALD_TEST_PG_URL=$(scripts/postgres/start.sh)
  started_pg=1
fi
export HERALD_TEST_PG_URL

# detect_leaks: a leak is a finding too. The suppressions file names third-party code only.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/sanitizers/lsan.supp:print_suppressions=0}
ctest --test-dir "$build" --output-on-failure -LE ui -j "$(nproc)" --timeout 1800 "$@"
