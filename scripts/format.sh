#!/usr/bin/env bash
# Formats every C++ file of the repository with .clang-format (clang-format 14, Debian 12).
# Usage: scripts/format.sh            rewrite the files in place
#        scripts/format.sh --check    name the files that are not formatted, exit 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format-14 || command -v clang-format)
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    "$fmt" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  [ ${#bad[@]} -eq 0 ] && exit 0
  printf 'not formatted (scripts/format.sh fixes it): %s\n' "${bad[@]}" >&2
  exit 1
fi
"$fmt" -i "${files[@]}"
