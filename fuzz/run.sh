#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan, in build-fuzz/) if needed, then runs
# each for MINUTES (decimals allowed: 0.33 is 20 s) and prints executions and corpus size per
# target. New corpus entries go to build-fuzz/corpus/<target>/ (the seeds in fuzz/corpus/
# stay as committed); a crash is written to build-fuzz/crashes/<target>/ and fails the run:
# fix it, then keep the input under fuzz/regressions/<target>/ (replayed by ctest).
# Usage: fuzz/run.sh MINUTES [target …]    (targets: json_bodies query http_request slots)
# FUZZ_JOBS=2 runs two targets at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ]; then
  echo "usage: fuzz/run.sh MINUTES [target ...]" >&2
  exit 2
fi
seconds=$(awk -v m="$1" 'BEGIN { s = int(m * 60); if (s < 1) s = 1; print s }')
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json_bodies query http_request slots)
jobs=${FUZZ_JOBS:-1}

build=build-fuzz
if [ ! -f "$build/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHERALD_FUZZ=ON -DHERALD_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target herald_fuzzers -j "$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_one() {
  local t=$1
  local corpus=$build/corpus/$t crashes=$build/crashes/$t log=$build/logs/$t.log
  mkdir -p "$corpus" "$crashes" "$build/logs"
  local extra=()
  [ -f "fuzz/$t.dict" ] && extra+=("-dict=fuzz/$t.dict")
  # The header limit (16 KiB) must be reachable.
  [ "$t" = http_request ] && extra+=("-max_len=20000")
  "$build/fuzz/fuzz_$t" "$corpus" "fuzz/corpus/$t" "fuzz/regressions/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1536 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "${extra[@]}" >"$log" 2>&1
}

failed=()
pids=()
names=()
for t in "${targets[@]}"; do
  if [ ! -x "$build/fuzz/fuzz_$t" ]; then
    echo "fuzz/run.sh: no such target: $t" >&2
    exit 2
  fi
  run_one "$t" &
  pids+=($!)
  names+=("$t")
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || failed+=("${names[0]}")
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || failed+=("${names[$i]}")
done

printf '%-14s %12s %10s %8s\n' target executions exec/s corpus
for t in "${targets[@]}"; do
  log=$build/logs/$t.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$build/corpus/$t" -type f | wc -l)
  printf '%-14s %12s %10s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus"
done

if [ ${#failed[@]} -gt 0 ]; then
  for t in "${failed[@]}"; do
    echo "--- $t failed; the end of $build/logs/$t.log:" >&2
    tail -40 "$build/logs/$t.log" >&2
    ls "$build/crashes/$t" >&2 || true
  done
  exit 1
fi
