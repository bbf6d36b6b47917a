#!/usr/bin/env bash
# Starts a throwaway Ghost 5 on loopback for herald's adapter tests, and writes an env file
# with HERALD_GHOST_URL and HERALD_GHOST_ADMIN_KEY. Idempotent: a running instance is reused.
#
# The Ghost install (npm pack + yarn install, ~3 minutes cold) is cached in
# HERALD_GHOST_CACHE (default /var/cache/herald-ghost) and reused by later runs; the site's
# data (SQLite db, content folder, env file, pid, log) lives in HERALD_GHOST_ROOT.
#
# Ghost 5.130.6 is the newest release that runs on Debian's Node 20. It is unpacked with
# `npm pack` (installing it as a dependency fails: its package.json names bundled `file:`
# tarballs), devDependencies are dropped and yarn.lock is pointed at the npm registry.
set -euo pipefail

GHOST_VERSION="${HERALD_GHOST_VERSION:-5.130.6}"
CACHE="${HERALD_GHOST_CACHE:-/var/cache/herald-ghost}"
ROOT="${HERALD_GHOST_ROOT:-/tmp/herald-ghost}"
PORT="${HERALD_GHOST_PORT:-2368}"
URL="http://127.0.0.1:${PORT}"
ENV_FILE="$ROOT/env"
PID_FILE="$ROOT/ghost.pid"
LOG_FILE="$ROOT/ghost.log"
APP="$CACHE/versions/$GHOST_VERSION"
OWNER_EMAIL="owner@herald.test"
OWNER_PASSWORD="Zq7tP2vLm9xW4kRb8nYc"  # Ghost refuses passwords that echo the email or title

log() { echo "ghost: $*" >&2; }
die() { echo "ghost: ERROR: $*" >&2; exit 1; }
started=$(date +%s)

# ---------- already running? ----------
if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null && [ -f "$ENV_FILE" ] \
    && curl -fsS -o /dev/null "$URL/ghost/api/admin/site/"; then
    log "already running at $URL (pid $(cat "$PID_FILE"))"
    cat "$ENV_FILE"
    exit 0
fi

command -v node >/dev/null || die "node is not installed (apt-get install nodejs npm)"
command -v npm >/dev/null || die "npm is not installed (apt-get install npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "Ghost $GHOST_VERSION needs Node 18 or 20, found $(node --version)"

# sqlite3 is compiled from source by node-gyp: it needs a compiler, make and python3.
need=()
for p in g++ make python3; do command -v "$p" >/dev/null || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
    log "installing build tools: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends g++ make python3 >/dev/null
fi

# ---------- install (cached) ----------
if [ ! -f "$APP/.herald-installed" ]; then
    log "installing Ghost $GHOST_VERSION into $APP (takes a few minutes, once)"
    mkdir -p "$CACHE/tools" "$CACHE/versions"
    if [ ! -x "$CACHE/tools/node_modules/.bin/yarn" ]; then
        npm install --silent --prefix "$CACHE/tools" yarn@1 >/dev/null
    fi
    rm -rf "$APP" "$CACHE/pack"
    mkdir -p "$CACHE/pack" "$APP"
    (cd "$CACHE/pack" && npm pack --silent "ghost@$GHOST_VERSION" >/dev/null)
    tar -xzf "$CACHE/pack/ghost-$GHOST_VERSION.tgz" -C "$APP" --strip-components=1
    rm -rf "$CACHE/pack"
    (
        cd "$APP"
        node -e '
            const fs = require("fs");
            const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
            delete p.devDependencies;
            fs.writeFileSync("package.json", JSON.stringify(p, null, 2));
        '
        sed -i 's#https://registry.yarnpkg.com/#https://registry.npmjs.org/#g' yarn.lock
        [ -d /usr/include/node ] && export npm_config_nodedir=/usr
        "$CACHE/tools/node_modules/.bin/yarn" install --production --non-interactive \
            --no-progress --registry https://registry.npmjs.org/ \
            --network-timeout 600000 --network-concurrency 8 \
            --cache-folder "$CACHE/yarn-cache" >"$CACHE/yarn-install.log" 2>&1 \
            || { tail -30 "$CACHE/yarn-install.log" >&2; die "yarn install failed (log: $CACHE/yarn-install.log)"; }
    )
    touch "$APP/.herald-installed"
    log "installed in $(( $(date +%s) - started )) s"
fi

# ---------- site folder ----------
mkdir -p "$ROOT"
ln -sfn "$APP" "$ROOT/current"
if [ ! -d "$ROOT/content" ]; then
    cp -r "$APP/content" "$ROOT/content"
    mkdir -p "$ROOT/content/data" "$ROOT/content/logs"
fi
cat >"$ROOT/config.development.json" <<JSON
{
  "url": "$URL",
  "server": { "host": "127.0.0.1", "port": $PORT },
  "database": {
    "client": "sqlite3",
    "connection": { "filename": "$ROOT/content/data/ghost.db" },
    "useNullAsDefault": true,
    "debug": false
  },
  "mail": { "transport": "stub" },
  "privacy": { "useTinfoil": true },
  "security": { "staffDeviceVerification": false },
  "paths": { "contentPath": "$ROOT/content" },
  "logging": { "level": "warn", "transports": ["stdout"] }
}
JSON

# ---------- start ----------
if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    log "Ghost already started (pid $(cat "$PID_FILE")), waiting for it"
else
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" \
        && die "port $PORT is taken by another program (set HERALD_GHOST_PORT)"
    log "starting Ghost at $URL"
    (
        cd "$ROOT"
        NODE_ENV=development exec setsid node current/index.js >>"$LOG_FILE" 2>&1 </dev/null
    ) &
    echo $! >"$PID_FILE"
fi

for _ in $(seq 1 240); do
    if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
        tail -30 "$LOG_FILE" >&2
        die "Ghost exited during start-up (log: $LOG_FILE)"
    fi
    curl -fsS -o /dev/null "$URL/ghost/api/admin/site/" 2>/dev/null && break
    sleep 0.5
done
curl -fsS -o /dev/null "$URL/ghost/api/admin/site/" || die "Ghost did not answer within 120 s (log: $LOG_FILE)"

# ---------- owner, session, integration (once per site folder) ----------
json_get() { node -e "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{const j=JSON.parse(d);console.log($1)})"; }

if [ ! -f "$ENV_FILE" ]; then
    api="$URL/ghost/api/admin"
    setup_state=$(curl -fsS "$api/authentication/setup/" | json_get 'j.setup[0].status')
    if [ "$setup_state" != "true" ]; then
        curl -fsS -o /dev/null -X POST "$api/authentication/setup/" \
            -H 'Content-Type: application/json' -H "Origin: $URL" \
            -d "{\"setup\":[{\"name\":\"Herald Owner\",\"email\":\"$OWNER_EMAIL\",\"password\":\"$OWNER_PASSWORD\",\"blogTitle\":\"Herald Test Blog\"}]}" \
            || die "owner setup failed"
    fi
    jar="$ROOT/cookies.txt"
    curl -fsS -o /dev/null -c "$jar" -X POST "$api/session/" \
        -H 'Content-Type: application/json' -H "Origin: $URL" \
        -d "{\"username\":\"$OWNER_EMAIL\",\"password\":\"$OWNER_PASSWORD\"}" \
        || die "owner sign-in failed"
    key=$(curl -fsS -b "$jar" -X POST "$api/integrations/?include=api_keys" \
            -H 'Content-Type: application/json' -H "Origin: $URL" \
            -d '{"integrations":[{"name":"herald"}]}' \
          | json_get 'j.integrations[0].api_keys.filter(k=>k.type==="admin").map(k=>k.secret.includes(":")?k.secret:k.id+":"+k.secret)[0]') \
        || die "creating the herald integration failed"
    [ -n "$key" ] || die "no Admin API key in the integration answer"
    rm -f "$jar"
    cat >"$ENV_FILE.tmp" <<ENV
HERALD_GHOST_URL=$URL
HERALD_GHOST_ADMIN_KEY=$key
ENV
    mv "$ENV_FILE.tmp" "$ENV_FILE"
fi

log "ready at $URL in $(( $(date +%s) - started )) s (env: $ENV_FILE)"
cat "$ENV_FILE"
