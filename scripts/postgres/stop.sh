#!/usr/bin/env bash
# Stops the test cluster of scripts/postgres/start.sh (a no-op when it is not running).
# --purge also deletes its folder ($HERALD_PG_DIR, default /tmp/herald-pg).
set -euo pipefail

DIR="${HERALD_PG_DIR:-/tmp/herald-pg}"
BIN="${HERALD_PG_BIN:-/usr/lib/postgresql/15/bin}"
DATA="$DIR/data"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u herald-pg -- "$@"
  else
    "$@"
  fi
}

if [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
fi
rm -f "$DIR/url"
if [ "${1:-}" = "--purge" ]; then
  rm -rf "$DIR"
fi
