#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy) on every source file of src/ and fails on any
# warning. Needs a configured build/ (its compile_commands.json): scripts/build.sh makes one.
# Usage: scripts/tidy.sh [BUILD_DIR] [file regex, default: all of src/]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
filter=${2:-/src/}
[ -f "$build/compile_commands.json" ] || { echo "tidy.sh: no $build/compile_commands.json; run scripts/build.sh" >&2; exit 2; }
# The generated version file has no source of ours to check.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
run-clang-tidy-14 -p "$build" -quiet -j "$(nproc)" "$filter" >"$out" 2>&1 || status=$?
grep -E '(warning|error): ' "$out" | sort -u || true
if [ $status -ne 0 ]; then
  echo "tidy.sh: clang-tidy found problems (above)" >&2
  exit 1
fi
echo "tidy.sh: clean"
