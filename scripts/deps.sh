#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs, on Debian 12 and once, everything that building mod_stepup, the
# demo and the tests need: the Debian packages, the browser tests' node
# modules (t/browser/node_modules) and the unprivileged user the httpd and
# farm tests run as ($STEPUP_TEST_USER, default stepuptest). The other
# scripts install nothing: they check and say "run scripts/deps.sh".
# Needs root only when something is missing.
#   scripts/deps.sh            everything (scripts/test calls it first)
#   scripts/deps.sh packages   the Debian packages only (scripts/demo and
#                              bench/run call it)
set -euo pipefail
cd "$(dirname "$0")/.."
test_user=${STEPUP_TEST_USER:-stepuptest}
for_what=${1:-all}

packages=(
  apache2 apache2-dev apache2-utils libapache2-mod-perl2 libwww-perl
  liblwp-protocol-https-perl libjson-pp-perl
  libcryptx-perl libcbor-xs-perl
  libaprutil1-dbd-sqlite3 sqlite3
  libcbor-dev libjansson-dev libssl-dev libcmocka-dev
  pkg-config autoconf automake libtool make gcc valgrind
  chromium nodejs
  clang libclang-rt-14-dev llvm   # fuzz.sh run: libFuzzer, llvm-symbolizer
  # the farm and fault tests (scripts/farm-test.sh)
  redis-server memcached postgresql libaprutil1-dbd-pgsql wrk openssl
  libfaketime
  # the benchmarks (bench/run): a peer module to compare with, curl
  libapache2-mod-auth-tkt curl
)
# npm for the browser tests (t/browser): NodeSource's nodejs package ships
# its own npm and conflicts with Debian's, so only when there is none.
command -v npm >/dev/null 2>&1 || packages+=(npm)

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: run as root ($*)" >&2
    exit 1
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  need_root "or install: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # the Debian packages start their own daemons: the tests use none of them
fi

[ "$for_what" = packages ] && exit 0

# Apache::Test refuses to run as root: the httpd tests run as this user,
# and so do the farm's Redis, memcached and PostgreSQL.
if ! id -u "$test_user" >/dev/null 2>&1; then
  echo "deps: adding the test user $test_user"
  need_root "or add the system user $test_user"
  useradd --system --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$test_user"
fi

# the browser tests' node modules, as t/browser/package-lock.json pins them
if [ ! -d t/browser/node_modules/playwright-core ] \
   || [ ! -d t/browser/node_modules/axe-core ]; then
  echo "deps: installing t/browser/node_modules (npm ci)"
  (cd t/browser && npm ci --no-audit --no-fund) \
    || { echo "deps: npm ci in t/browser failed" >&2; exit 1; }
fi
