#!/usr/bin/env bash
# herald's core benchmarks. One command: bench/run.sh [schedule|list|all] [SIZE]
#  schedule: slot assignment of ITEMS (100,000) approved items across SITES (1,000) sites in
#            one `herald tasks schedule-approved` run.
#  list:     GET /api/v1/writer/content/?site_id=…&site_status=scheduled against LIST_ROWS
#            (1,000,000) content rows, wrk with 32 keep-alive connections for DURATION (15 s).
# RULES=1 (schedule): every planner rule on (bench/seed.sh: blackouts, 90-minute spacing over
# 30-minute slots, 5 % pinned and already scheduled, 10 % recurring); "assigned" counts only the
# items the run scheduled (pinned ones were scheduled by the seed).
# SIZE (with schedule or list) sets ITEMS or LIST_ROWS; the environment sets the others
# (SITES, ITEMS, LIST_ROWS, DURATION). Each line ends with the process's peak RSS.
# HERALD=path runs that binary instead of building build/herald (old/new comparisons).
# PROFILE=1 also records each benchmark with `perf record -g` (DWARF call graphs) into
# bench/results/ (not committed) and writes `perf report --stdio` summaries and a flame graph
# (bench/flamegraph.py: NAME.svg, NAME.folded) beside them. FLOOR=1 (list) also loads
# /healthz the same way: what the HTTP layer alone reaches on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
if [[ -n ${2:-} ]]; then
  case "$what" in
    schedule) ITEMS=$2 ;;
    list) LIST_ROWS=$2 ;;
    *) echo "SIZE goes with schedule or list" >&2; exit 2 ;;
  esac
fi
SITES=${SITES:-1000} ITEMS=${ITEMS:-100000} LIST_ROWS=${LIST_ROWS:-1000000}
DURATION=${DURATION:-15s} PORT=${PORT:-18089}
if [[ -n ${HERALD:-} ]]; then
  herald=$(realpath "$HERALD")
else
  ./scripts/build.sh --target herald >/dev/null
  herald=$PWD/build/herald
fi
results=$PWD/bench/results
if [[ -n ${PROFILE:-} ]]; then mkdir -p "$results"; fi
# report NAME: a flat (self) and an inclusive (children) profile of bench/results/NAME.perf.data.
report() {
  perf report -i "$results/$1.perf.data" --no-children --stdio --sort dso,sym -g none \
    --percent-limit 0.5 >"$results/$1.self.txt" 2>/dev/null
  perf report -i "$results/$1.perf.data" --children --stdio --sort sym -g none \
    --percent-limit 1 >"$results/$1.children.txt" 2>/dev/null
  echo "profile: bench/results/$1.{perf.data,self.txt,children.txt}"
  python3 bench/flamegraph.py "$results/$1.perf.data" --comm herald
}
work=$(mktemp -d /tmp/herald-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

new_db() {  # new_db FILE → prints the API key of a fresh account (id 1)
  "$herald" accounts create bench --db "sqlite:$1" | tail -n 1
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

if [[ $what == schedule || $what == all ]]; then
  db=$work/schedule.db
  new_db "$db" >/dev/null
  bench/seed.sh "$db" 1 "$SITES" "$ITEMS" approved
  perf_run=()
  if [[ -n ${PROFILE:-} ]]; then perf_run=(perf record -q -F 999 --call-graph dwarf,16384 -o "$results/schedule-$ITEMS.perf.data" --); fi
  start=$(date +%s.%N)
  out=$(/usr/bin/time -o "$work/time.txt" -f '%M' "${perf_run[@]}" "$herald" tasks schedule-approved \
          --db "sqlite:$db" --now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" | tail -n 1)
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  assigned=$(sqlite3 "$db" "SELECT COUNT(*) FROM content WHERE site_status = 'scheduled' AND pinned = 0")
  printf 'schedule-approved%s: %s items across %s sites: %s assigned in %.3f s = %.0f items/s, max RSS %s MB (%s)\n' \
    "${RULES:+ (rules on)}" "$ITEMS" "$SITES" "$assigned" "$secs" "$(echo "$assigned / $secs" | bc -l)" \
    "$(( $(tail -n 1 "$work/time.txt") / 1024 ))" "$out"
  if [[ -n ${PROFILE:-} ]]; then report "schedule-$ITEMS"; fi
fi

if [[ $what == list || $what == all ]]; then
  db=$work/list.db
  key=$(new_db "$db")
  bench/seed.sh "$db" 1 "$SITES" "$LIST_ROWS" mixed
  site=$(sqlite3 "$db" "SELECT id FROM sites ORDER BY id LIMIT 1 OFFSET $((SITES / 2))")
  "$herald" serve --db "sqlite:$db" --listen "127.0.0.1:$PORT" --no-tasks >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  idle=$(rss_kb $pid)
  url="http://127.0.0.1:$PORT/api/v1/writer/content/?site_id=$site&site_status=scheduled"
  curl -fs -H "Authorization: Api-Key $key" "$url" | head -c 200; echo
  if [[ -n ${PROFILE:-} ]]; then
    perf record -q -F 499 --call-graph dwarf,16384 -p "$pid" -o "$results/list-$LIST_ROWS.perf.data" &
    perf_pid=$!
  fi
  wrk -t2 -c32 -d"$DURATION" --latency -H "Authorization: Api-Key $key" "$url" >"$work/wrk.txt"
  if [[ -n ${PROFILE:-} ]]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; report "list-$LIST_ROWS"; fi
  loaded=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  errors=$(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" || true)
  echo "content list ($LIST_ROWS rows, 32 connections, $DURATION): $rps requests/s, p50 $p50, p99 $p99, RSS idle $((idle / 1024)) MB, peak $((loaded / 1024)) MB ${errors}"
  if [[ -n ${FLOOR:-} ]]; then
    # The same load on /healthz (no auth, no SQL, a few bytes): what HTTP alone reaches here.
    wrk -t2 -c32 -d"$DURATION" --latency "http://127.0.0.1:$PORT/healthz" >"$work/floor.txt"
    echo "floor, GET /healthz (32 connections, $DURATION): $(awk '/Requests\/sec/ {print $2}' "$work/floor.txt") requests/s, p50 $(awk '$1 == "50%" {print $2}' "$work/floor.txt"), p99 $(awk '$1 == "99%" {print $2}' "$work/floor.txt")"
  fi
  # Idle RSS of a fresh server on an empty database, for comparison.
  empty=$work/empty.db; new_db "$empty" >/dev/null
  "$herald" serve --db "sqlite:$empty" --listen "127.0.0.1:$((PORT + 1))" >/dev/null 2>&1 &
  pid2=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$((PORT + 1))/healthz" >/dev/null && break; sleep 0.1; done
  sleep 1
  echo "idle RSS, fresh server with background tasks: $(( $(rss_kb $pid2) / 1024 )) MB"
fi
