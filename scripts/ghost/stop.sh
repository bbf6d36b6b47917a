#!/usr/bin/env bash
# Stops the Ghost started by scripts/ghost/start.sh (by its PID). Keeps the site's data;
# pass --purge to delete it too (the cached install stays).
set -euo pipefail

ROOT="${HERALD_GHOST_ROOT:-/tmp/herald-ghost}"
PID_FILE="$ROOT/ghost.pid"

if [ -f "$PID_FILE" ]; then
    pid=$(cat "$PID_FILE")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        echo "ghost: stopped (pid $pid)" >&2
    else
        echo "ghost: not running" >&2
    fi
    rm -f "$PID_FILE"
else
    echo "ghost: not running" >&2
fi

if [ "${1:-}" = "--purge" ]; then
    rm -rf "$ROOT"
    echo "ghost: removed $ROOT" >&2
fi
