#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 cluster for herald's tests: data in $HERALD_PG_DIR
# (default /tmp/herald-pg), listening on 127.0.0.1 only (first free port from 55432) and on a
# socket in that folder, superuser `herald` with trust auth on loopback, database
# herald_test. Writes the server's base URL to $HERALD_PG_DIR/url and prints it:
#
#   export HERALD_TEST_PG_URL=$(scripts/postgres/start.sh)
#
# Running it again while the cluster is up only prints the URL. scripts/postgres/stop.sh
# stops it (and with --purge removes the folder).
set -euo pipefail

DIR="${HERALD_PG_DIR:-/tmp/herald-pg}"
BIN="${HERALD_PG_BIN:-/usr/lib/postgresql/15/bin}"
DATA="$DIR/data"
OS_USER=herald-pg

for tool in initdb pg_ctl postgres; do
  [ -x "$BIN/$tool" ] || { echo "missing $BIN/$tool (install postgresql-15)" >&2; exit 1; }
done

# PostgreSQL refuses to run as root: as root, run it as a system user made for it.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$OS_USER" -- "$@"
  else
    "$@"
  fi
}
if [ "$(id -u)" -eq 0 ] && ! id "$OS_USER" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER"
fi

mkdir -p "$DIR"
if [ "$(id -u)" -eq 0 ]; then chown "$OS_USER" "$DIR"; fi
chmod 755 "$DIR"  # the url file is for every test runner; data/ stays 700

if [ -f "$DIR/url" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  cat "$DIR/url"
  exit 0
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
  as_owner "$BIN/initdb" -D "$DATA" -U herald --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
  # Loopback and the socket: the `herald` superuser without a password (tests); any other
  # role needs its password, so the tests can check how a wrong one is reported.
  cat >"$DATA/pg_hba.conf" <<'HBA'
local all herald              trust
host  all herald 127.0.0.1/32 trust
local all all                 scram-sha-256
host  all all    127.0.0.1/32 scram-sha-256
HBA
fi

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
PORT="${HERALD_PG_PORT:-}"
if [ -z "$PORT" ]; then
  for candidate in $(seq 55432 55531); do
    if port_free "$candidate"; then PORT=$candidate; break; fi
  done
fi
[ -n "$PORT" ] || { echo "no free port in 55432-55531" >&2; exit 1; }

# fsync stays on (the default): the tests should see PostgreSQL as production runs it.
as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 start -o \
  "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DIR \
   -c max_connections=300 -c fsync=on -c shared_buffers=64MB" >/dev/null \
  || { tail -n 20 "$DIR/server.log" >&2; exit 1; }

as_owner "$BIN/psql" -h "$DIR" -p "$PORT" -U herald -d postgres -v ON_ERROR_STOP=1 -qAt -c \
  "SELECT 1 FROM pg_database WHERE datname = 'herald_test'" | grep -q 1 \
  || as_owner "$BIN/psql" -h "$DIR" -p "$PORT" -U herald -d postgres -v ON_ERROR_STOP=1 -q \
       -c "CREATE DATABASE herald_test" >/dev/null

URL="postgresql://herald@127.0.0.1:$PORT/herald_test"
echo "$URL" >"$DIR/url.tmp" && mv "$DIR/url.tmp" "$DIR/url"
chmod 644 "$DIR/url"
echo "$URL"
