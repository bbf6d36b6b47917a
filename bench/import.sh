#!/usr/bin/env bash
# Bulk import benchmark (bench/import_bench.cpp): ROWS (10,000) CSV rows into one site of a
# fresh SQLite database through the API's import handler, and through the store's batch
# insert alone; best of RUNS (5). One command: bench/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-10000} RUNS=${RUNS:-5}
[ -f build/build.ninja ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target herald_import_bench >/dev/null
work=$(mktemp -d /tmp/herald-import-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
build/herald_import_bench --rows "$ROWS" --runs "$RUNS" --dir "$work"
