#!/usr/bin/env bash
# Builds the dispatcher and HTTP tests with ThreadSanitizer (gcc, in build-tsan/) and runs
# them on both backends (PostgreSQL on a throw-away local cluster unless HERALD_TEST_PG_URL
# is set). Any data race or lock-order report fails the run.
# Usage: scripts/tsan.sh [extra gtest args, e.g. --gtest_filter='*Claim*']
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
build=build-tsan
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
    -DCMAKE_CXX_FLAGS="-O1 -g1 -fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >/dev/null
fi
# http_tests also run build-tsan/herald (serve) as a child process, so it is built too.
cmake --build "$build" -j "$(nproc)" --target dispatch_tests http_tests herald

started_pg=""
cleanup() { [ -z "$started_pg" ] || scripts/postgres/stop.sh --purge >/dev/null 2>&1 || true; }
trap cleanup EXIT
if [ -z "${HERALD_TEST_PG_URL:-}" ]; then
  HERALD_PG_DIR=$(mktemp -d /tmp/herald-pg-tsan.XXXXXX)
  export HERALD_PG_DIR
  HERALD_TEST_PG_URL=$(scripts/postgres/start.sh)
  started_pg=1
fi
export HERALD_TEST_PG_URL

export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/sanitizers/tsan.supp}
status=0
for t in dispatch_tests http_tests; do
  echo "== $t (ThreadSanitizer)"
  "$build/$t" "$@" || status=1
done
exit $status
