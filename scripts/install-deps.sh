#!/usr/bin/env bash
# Installs every Debian 12 package herald needs to build, test and benchmark.
# Safe to run again: it installs only what is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git dpkg-dev
  libboost-dev libboost-system-dev
  libcurl4-openssl-dev libsqlite3-dev sqlite3 libsodium-dev libssl-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libhowardhinnant-date-dev tzdata
  libcli11-dev libgtest-dev libgmock-dev
  libpq-dev postgresql postgresql-contrib
  # Content import (POST /writer/content/import/): libcmark is the CommonMark reference
  # implementation (plain C, small, spec-exact); yaml-cpp reads front matter as real YAML
  # (lists, quoting) instead of a hand-made subset; libzip reads a zip from memory.
  libcmark-dev libyaml-cpp-dev libzip-dev
  curl wrk python3 bc
  chromium  # the web UI's browser tests (tests/ui, driven by playwright-core)
  clang-14 libclang-rt-14-dev  # fuzz/run.sh: clang and its libFuzzer / sanitizer runtimes
  clang-format-14 clang-tidy-14  # scripts/format.sh (a ctest test) and scripts/tidy.sh
)
# The web UI is built with Node >= 18 and npm (web/build.sh): Debian's packages unless a node
# is already on PATH (e.g. from nodesource or nvm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "installing: ${missing[*]}" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
