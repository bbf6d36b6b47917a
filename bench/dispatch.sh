#!/usr/bin/env bash
# Dispatcher benchmark, one command: bench/dispatch.sh
# 10,000 items due in the same second across 100 `custom` sites, published by a real
# `herald serve` to a local receiver that adds 20 ms per request, then 0 ms. Prints p50/p99/max
# lateness (due time to request start), the time until the last item is `published`, and
# herald's peak RSS. Environment: ITEMS, SITES, DELAYS (ms, comma-separated), EXTRA (serve
# flags), BUILD (build dir, default build-rel).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-rel}
if [[ ! -f $BUILD/build.ninja ]]; then
  cmake -G Ninja -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "$BUILD" herald herald_dispatch_bench >/dev/null
exec "$BUILD/herald_dispatch_bench" --herald "$BUILD/herald" \
  --items "${ITEMS:-10000}" --sites "${SITES:-100}" --delay-ms "${DELAYS:-20,0}" \
  --extra "${EXTRA:-}"
