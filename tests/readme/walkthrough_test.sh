#!/usr/bin/env bash
# The README's walkthrough ("The workflow with curl"), as written: the sh block after the
# `<!-- walkthrough` marker is extracted and run by bash in a fresh folder, against the
# herald under test on free loopback ports (the block reads HERALD, DB, PORT and
# RECEIVER_PORT, with defaults for a reader). It must run to its end without an error answer,
# the post must reach the block's receiver, and its record must say published.
# Usage: tests/readme/walkthrough_test.sh HERALD_BINARY
set -euo pipefail
root_dir="$(cd "$(dirname "$0")/../.." && pwd)"
fail() { echo "walkthrough_test: $*" >&2; exit 1; }
herald="$(cd "$(dirname "${1:?usage: walkthrough_test.sh HERALD_BINARY}")" && pwd)/$(basename "$1")"
[ -x "$herald" ] || fail "$herald is not built"
for tool in python3 curl setsid; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh)"
done

block="$(awk '/^<!-- walkthrough/ { marked = 1; next }
              marked && !inside && /^```sh$/ { inside = 1; next }
              inside && /^```$/ { exit }
              inside { print }' "$root_dir/README.md")"
[ -n "$block" ] || fail "no sh block after '<!-- walkthrough' in README.md"

tmp="$(mktemp -d /tmp/herald-walkthrough.XXXXXX)"
pid=""
cleanup() {
  # The block's own last line stops what it started; this is for a block that failed midway.
  [ -z "$pid" ] || kill -- "-$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
export HERALD="$herald" DB="$tmp/herald.db" PORT="$(free_port)" RECEIVER_PORT="$(free_port)"
[ "$PORT" != "$RECEIVER_PORT" ] || RECEIVER_PORT="$(free_port)"

# Its own process group (setsid), so whatever it leaves running can be stopped.
(cd "$tmp" && exec setsid bash -e -c "$block") >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 600); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
  cat "$tmp/out" "$tmp/err" >&2
  fail "the walkthrough did not finish within 120 s"
fi
status=0
wait "$pid" || status=$?
pid=""
show() { echo "--- stdout"; cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"; } >&2
[ "$status" -eq 0 ] || { show; fail "the walkthrough exited $status"; }
if grep -q '"error": *{' "$tmp/out"; then show; fail "a call of the walkthrough answered an error"; fi
grep -qx 'received: Hello' "$tmp/out" || { show; fail "the receiver never got the post"; }
grep -q '"outcome": *"published"' "$tmp/out" || { show; fail "no published record"; }
echo "walkthrough_test: the README's walkthrough ran as written; the receiver got the post"
