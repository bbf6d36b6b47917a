#!/usr/bin/env bash
# Dispatcher benchmark, one command: bench/dispatch.sh [ITEMS]
# ITEMS (default 10,000) items due in the same second across 100 `custom` sites, published by real
# `herald serve` processes to a local receiver that adds 20 ms per request, then 0 ms. Prints
# p50/p99/max lateness (due time to request start), the time until the last item is
# `published`, herald's peak RSS and its CPU time (user+system, total and per item).
# Environment: ITEMS, SITES, DELAYS (ms, comma-separated), EXTRA (serve flags), BUILD (build
# dir, default build-rel), WORKERS (herald processes, default 1; more than one run as
# `--role worker`), DB=postgresql (a throw-away PostgreSQL cluster of this run's own, or the
# server of HERALD_BENCH_PG_URL; one fresh database per delay), HERALD (a herald binary to
# run instead of $BUILD/herald), PROFILE=1 (`perf record -g` of the run, herald's threads
# included, into bench/results/burst-ITEMS.perf.data, with a `perf report` summary and a flame
# graph of herald's threads beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n ${1:-} ]]; then ITEMS=$1; fi
BUILD=${BUILD:-build-rel}
if [[ ! -f $BUILD/build.ninja ]]; then
  cmake -G Ninja -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHERALD_BUILD_TESTS=OFF >/dev/null
fi
ninja -C "$BUILD" herald herald_dispatch_bench >/dev/null
DELAYS=${DELAYS:-20,0}
args=(--herald "${HERALD:-$BUILD/herald}" --items "${ITEMS:-10000}" --sites "${SITES:-100}"
      --delay-ms "$DELAYS" --extra "${EXTRA:-}" --workers "${WORKERS:-1}")
# Larger runs need longer to seed before their items fall due (the bench's default is 10 s).
if (( ${ITEMS:-10000} > 10000 )) && [[ ${DB:-sqlite} != postgresql ]]; then
  args+=(--lead-seconds $(( 10 + ${ITEMS} / 1000 )))
fi
if [[ ${DB:-sqlite} == postgresql ]]; then
  if [[ -z ${HERALD_BENCH_PG_URL:-} ]]; then
    HERALD_PG_DIR=$(mktemp -d /tmp/herald-pg-bench.XXXXXX)
    export HERALD_PG_DIR
    HERALD_BENCH_PG_URL=$(scripts/postgres/start.sh)
    trap 'scripts/postgres/stop.sh --purge >/dev/null 2>&1 || true' EXIT
  fi
  export HERALD_SECRET_KEY=${HERALD_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}
  base=${HERALD_BENCH_PG_URL%/*}
  urls=()
  IFS=, read -ra delay_list <<<"$DELAYS"
  for d in "${delay_list[@]}"; do
    name=herald_bench_$$_$d
    psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
    urls+=("$base/$name")
  done
  args+=(--db "$(IFS=,; echo "${urls[*]}")" --lead-seconds 30)
fi
if [[ -n ${PROFILE:-} ]]; then
  mkdir -p bench/results
  data=bench/results/burst-${ITEMS:-10000}.perf.data
  perf record -q -F 299 --call-graph dwarf,8192 -o "$data" -- "$BUILD/herald_dispatch_bench" "${args[@]}"
  perf report -i "$data" --children --stdio --sort comm,sym -g none --percent-limit 1 \
    >"${data%.perf.data}.children.txt" 2>/dev/null
  echo "profile: $data, ${data%.perf.data}.children.txt"
  python3 bench/flamegraph.py "$data" --comm herald
else
  "$BUILD/herald_dispatch_bench" "${args[@]}"
fi
