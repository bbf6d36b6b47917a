#!/bin/sh
# Runs the browser tests (herald.test.mjs) and the API description's test (openapi.test.mjs), and the calendar feed through ical.js (ical.test.mjs)
# against a real `herald serve` on loopback, with
# the scheduler and dispatcher on and a fresh SQLite database. ctest runs it (label "ui").
# Needs: the herald binary (HERALD_BIN, default build/herald), node >= 18 and npm,
# Chromium at /usr/bin/chromium (or CHROMIUM=…). Screenshots go to HERALD_ARTIFACTS
# (default build/ui-artifacts). Extra serve flags via HERALD_SERVE_ARGS; node flags via
# HERALD_UI_TEST_ARGS (e.g. --test-name-pattern=screenshots); HERALD_UI_TEST_FILES picks files.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
herald="${HERALD_BIN:-$root/build/herald}"
artifacts="${HERALD_ARTIFACTS:-$root/build/ui-artifacts}"

[ -x "$herald" ] || { echo "run-herald.sh: $herald not built (scripts/build.sh)" >&2; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || {
  echo "run-herald.sh: no Chromium at ${CHROMIUM:-/usr/bin/chromium} (scripts/install-deps.sh)" >&2
  exit 1
}
"$root/web/build.sh"
if [ ! -f "$here/node_modules/.herald-lock-stamp" ] ||
   ! cmp -s "$here/package-lock.json" "$here/node_modules/.herald-lock-stamp"; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error &&
   cp package-lock.json node_modules/.herald-lock-stamp)
fi

tmp="$(mktemp -d)"
pid=""
cleanup() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
db="sqlite:$tmp/ui.db"
key="$("$herald" accounts create ui-first-run --db "$db" | tail -n 1)"
key2="$("$herald" accounts create ui-seeded --db "$db" | tail -n 1)"
key3="$("$herald" accounts create openapi --db "$db" | tail -n 1)"
key4="$("$herald" accounts create ui-daily --db "$db" | tail -n 1)"
key5="$("$herald" accounts create ui-planner --db "$db" | tail -n 1)"
# Port 0: the kernel picks a free one (ctest may run this beside other servers); herald
# prints the address it got.
# shellcheck disable=SC2086
"$herald" serve --db "$db" --listen 127.0.0.1:0 --retry-max-attempts 1 ${HERALD_SERVE_ARGS:-} \
  >"$tmp/serve.log" 2>&1 &
pid=$!
url=""
i=0
while [ -z "$url" ]; do
  i=$((i + 1))
  if [ $i -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "run-herald.sh: herald did not start:" >&2; cat "$tmp/serve.log" >&2; exit 1
  fi
  url="$(sed -n 's|^herald serving on \(http://[^ ]*\).*|\1/|p' "$tmp/serve.log" | head -n 1)"
  [ -n "$url" ] || sleep 0.1
done
mkdir -p "$artifacts"
status=0
# herald.test.mjs: the UI; openapi.test.mjs: the API description (docs/openapi.yaml) against
# this server's routes and answers. Both check every API answer they get against it.
(cd "$here" && HERALD_URL="$url" HERALD_KEY="$key" HERALD_KEY2="$key2" HERALD_KEY3="$key3" HERALD_KEY4="$key4" HERALD_KEY5="$key5" \
  HERALD_BIN="$herald" HERALD_DB="$db" HERALD_ARTIFACTS="$artifacts" \
  node --test ${HERALD_UI_TEST_ARGS:-} ${HERALD_UI_TEST_FILES:-herald.test.mjs daily.test.mjs planner.test.mjs openapi.test.mjs ical.test.mjs}) ||
  status=$?
if [ $status -ne 0 ]; then
  echo "---- herald serve log ----" >&2
  tail -n 100 "$tmp/serve.log" >&2
fi
echo "screenshots: $artifacts"
exit $status
