#!/usr/bin/env bash
# The Debian package, built from an existing build (ctest passes build/; no second build):
# CPack makes the .deb into a temp dir, its metadata is checked (dependencies, conffile,
# maintainer scripts, a stripped binary, systemd-analyze verify of the unit), then it is unpacked with dpkg-deb -x into a temp
# root (nothing is installed on this machine) and the unit's ExecStart line is run the way
# systemd would run it: Environment= lines, then the EnvironmentFile, ${VAR} as one argument
# and $VAR split into words, in the WorkingDirectory of its StateDirectory; with paths of the
# package taken inside the temp root, and the port and state directory of this test.
# /healthz must answer, and the UI and the API description must be served from the package.
# Usage: tests/package/package_test.sh BUILD_DIR
set -euo pipefail
build="$(cd "${1:?usage: package_test.sh BUILD_DIR}" && pwd)"
root_dir="$(cd "$(dirname "$0")/../.." && pwd)"
fail() { echo "package_test: $*" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps readelf curl; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh)"
done
[ -x "$build/herald" ] || fail "$build/herald is not built"

tmp="$(mktemp -d /tmp/herald-package-test.XXXXXX)"
pid=""
cleanup() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$root_dir/web/build.sh" >/dev/null
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
deb="$(ls "$tmp"/out/herald_*.deb)"
echo "built $(basename "$deb"): $(du -k "$deb" | cut -f1) KiB"

# --- the package's metadata -------------------------------------------------------------
dpkg-deb -f "$deb" Package | grep -qx herald || fail "package name"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for lib in adduser libc6 libstdc++6 libcurl4 libsqlite3-0 libpq5 libsodium23; do
  printf '%s\n' "$depends" | tr ',' '\n' | grep -q "^ *$lib\b" || fail "Depends lacks $lib"
done
mkdir "$tmp/control"
dpkg-deb -e "$deb" "$tmp/control"
grep -qx /etc/herald/herald.conf "$tmp/control/conffiles" || fail "herald.conf is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$tmp/control/$script" ] || fail "no executable $script"
  sh -n "$tmp/control/$script" || fail "$script: syntax"
done
grep -q "adduser --system" "$tmp/control/postinst" || fail "postinst creates no system user"

# --- its files ----------------------------------------------------------------------------
pkg="$tmp/root"
dpkg-deb -x "$deb" "$pkg"
for f in usr/bin/herald usr/share/herald/web/index.html usr/share/herald/web/openapi.json \
         usr/share/herald/web/api-docs/index.html usr/lib/systemd/system/herald.service \
         etc/herald/herald.conf; do
  [ -f "$pkg/$f" ] || fail "the package has no /$f"
done
[ "$(stat -c %a "$pkg/etc/herald/herald.conf")" = 600 ] || fail "herald.conf is not mode 0600"
if readelf -S "$pkg/usr/bin/herald" | grep -q '\.debug_info'; then fail "usr/bin/herald has debug info"; fi
if readelf -S "$pkg/usr/bin/herald" | grep -q '\.symtab'; then fail "usr/bin/herald is not stripped"; fi
echo "usr/bin/herald: $(du -k "$pkg/usr/bin/herald" | cut -f1) KiB stripped"
"$pkg/usr/bin/herald" --version | grep -Eq '^herald [0-9]+\.[0-9]+\.[0-9]+ \(git [^)]+\)$' ||
  fail "herald --version: $("$pkg/usr/bin/herald" --version)"

# --- the unit, run as systemd would run it ------------------------------------------------
unit="$pkg/usr/lib/systemd/system/herald.service"
value() { sed -n "s/^$1=//p" "$unit"; }
for option in "User=herald" "StateDirectory=herald" "NoNewPrivileges=yes" "ProtectSystem=strict" \
              "ProtectHome=yes" "PrivateTmp=yes"; do
  grep -qx "$option" "$unit" || fail "the unit lacks $option"
done
# systemd's own check of every directive (an unknown or misspelt one is a warning), where
# systemd-analyze exists; the binary is the unpacked one, so it must exist and run.
if command -v systemd-analyze >/dev/null; then
  sed "s#/usr/bin/herald#$pkg/usr/bin/herald#" "$unit" >"$tmp/herald.service"
  verify="$(systemd-analyze verify "$tmp/herald.service" 2>&1)" || fail "systemd-analyze verify: $verify"
  [ -z "$verify" ] || fail "systemd-analyze verify: $verify"
fi
state="$pkg/var/lib/$(value StateDirectory)"
mkdir -p "$state"
# Paths of the package, seen inside the temp root.
inside() { sed -e "s#/usr/#$pkg/usr/#g" -e "s#/etc/herald#$pkg/etc/herald#g" -e "s#/var/lib/herald#$state#g"; }
declare -A env
while IFS= read -r line; do
  env["${line%%=*}"]="$(printf '%s' "${line#*=}" | inside)"
done < <(value Environment)
conf="$(value EnvironmentFile | sed 's/^-//')"
[ "$conf" = /etc/herald/herald.conf ] || fail "EnvironmentFile is $conf"
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  env["${line%%=*}"]="$(printf '%s' "${line#*=}" | inside)"
done <"$(printf '%s' "$conf" | inside)"
[ "${env[HERALD_DB]:-}" = "sqlite:$state/herald.db" ] || fail "HERALD_DB is ${env[HERALD_DB]:-unset}"
env[HERALD_LISTEN]=127.0.0.1:0  # this test's port: the conf's 8080 may be taken here
args=()
for word in $(value ExecStart | inside); do
  case "$word" in
    '${'*'}') name="${word:2:${#word}-3}"; args+=("${env[$name]-}") ;;
    '$'*) name="${word:1}"; for w in ${env[$name]-}; do args+=("$w"); done ;;
    *'$'*) fail "ExecStart word $word: not expanded by this test" ;;
    *) args+=("$word") ;;
  esac
done
[ "${args[0]}" = "$pkg/usr/bin/herald" ] || fail "ExecStart runs ${args[0]}"
envs=()
for name in "${!env[@]}"; do envs+=("$name=${env[$name]}"); done
echo "running: ${args[*]}"
(cd "$(value WorkingDirectory | inside)" && exec env -i PATH=/usr/bin:/bin "${envs[@]}" "${args[@]}") \
  >"$tmp/serve.log" 2>&1 &
pid=$!
url=""
for _ in $(seq 300); do
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; fail "herald exited"; }
  url="$(sed -n 's|^herald serving on \(http://[^ ]*\).*|\1|p' "$tmp/serve.log" | head -n 1)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/serve.log" >&2; fail "herald did not start"; }
[ "$(curl -fsS "$url/healthz")" = '{"status":"ok"}' ] || fail "/healthz"
# Each page is read whole before it is searched: `curl | grep -q` under pipefail fails
# whenever grep stops reading first (curl: "Failed writing body").
page() { curl -fsS "$url$1"; }
grep -q '<title>' <<<"$(page /)" || fail "the web UI is not served from /usr/share/herald/web"
grep -q '"openapi":"3.1' <<<"$(page /api/v1/openapi.json)" || fail "/api/v1/openapi.json"
grep -q 'swagger-ui-bundle.js' <<<"$(page /api/docs)" || fail "/api/docs"
[ -f "$state/herald.db" ] || fail "no database in the state directory"
grep -q "First run: created account 'admin'" "$tmp/serve.log" || fail "no first-run account"
echo "package_test: $url/healthz answered from the unpacked package; 1 passed, 0 failed"
