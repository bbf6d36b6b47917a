#!/bin/sh
# Runs the browser smoke test against a real `herald serve` on loopback.
# Needs: build/herald (the README's build), node >= 18, /usr/bin/chromium.
# Extra serve flags (e.g. where the UI files are) via HERALD_SERVE_ARGS.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
herald="${HERALD_BIN:-$root/build/herald}"
port="${HERALD_UI_PORT:-18080}"

"$root/web/build.sh"
(cd "$here" && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error)

tmp="$(mktemp -d)"
db="sqlite:$tmp/ui.db"
key="$("$herald" accounts create ui-smoke --db "$db" | tail -n 1)"
(cd "$root" && exec "$herald" serve --db "$db" --listen "127.0.0.1:$port" --no-tasks ${HERALD_SERVE_ARGS:-}) >"$tmp/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
i=0
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "herald did not start:"; cat "$tmp/serve.log"; exit 1; }
  sleep 0.1
done
cd "$here"
HERALD_URL="http://127.0.0.1:$port/" HERALD_KEY="$key" node --test herald.test.mjs
