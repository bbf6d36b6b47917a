#!/bin/sh
# Builds the browser UI into web/dist/ (served by `herald serve` at /), with the API
# description (../docs/openapi.yaml → dist/openapi.json) and its page (dist/api-docs/).
# Idempotent: installs node_modules with `npm ci` only when package-lock.json
# changed, and skips the bundle when dist/ is newer than every source file.
# Needs node >= 18 and npm (Debian 12's nodejs/npm are enough).
# FORCE=1 web/build.sh rebuilds regardless.
set -eu
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
  echo "web/build.sh: npm not found (apt-get install -y nodejs npm)" >&2
  exit 1
fi

# swagger-ui-dist depends on an install-time analytics reporter: never let it phone home.
export SCARF_ANALYTICS=false

stamp=node_modules/.herald-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

if [ "${FORCE:-0}" != 1 ] && [ -f dist/index.html ] && [ -f dist/app.js ] && [ -f dist/app.css ] \
   && [ -f dist/openapi.json ] && [ -f dist/api-docs/index.html ] \
   && [ -z "$(find src index.html build.mjs package-lock.json favicon.svg api-docs ../docs/openapi.yaml \
              -newer dist/index.html 2>/dev/null | head -n 1)" ]; then
  echo "web: dist/ is up to date"
  exit 0
fi

node build.mjs
echo "web: built $(pwd)/dist"
