#!/usr/bin/env bash
# The end-to-end browser tests (t/browser/tests/): Debian's Chromium driven
# by playwright-core, passkeys through Chromium's CDP virtual authenticator.
# Installs what is missing (chromium, node, t/browser/node_modules), starts
# the demo (scripts/demo) on a free port in a temporary directory, runs the
# tests against http://localhost:PORT (WebAuthn needs a domain name), stops
# the demo and exits with the tests' status. Build first (scripts/build.sh):
# this script builds nothing itself. Screenshots go to t/browser/artifacts/.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "browser-test: missing $*: run as root or install them" >&2
    exit 1
  fi
  echo "browser-test: installing $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || { echo "browser-test: cannot install $*" >&2; exit 1; }
}
[ -x /usr/bin/chromium ] || install chromium
{ command -v node >/dev/null && command -v npm >/dev/null; } || install nodejs npm
if [ ! -d t/browser/node_modules/playwright-core ] || [ ! -d t/browser/node_modules/axe-core ]; then
  (cd t/browser && npm ci --no-audit --no-fund) || { echo "browser-test: npm ci failed" >&2; exit 1; }
fi
if [ ! -f .libs/mod_stepup.so ] || [ ! -x tools/stepupctl ]; then
  echo "browser-test: build first (bash scripts/build.sh)" >&2
  exit 1
fi

port=$(node -e 'const s = require("net").createServer();
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
tmp=$(mktemp -d /tmp/mod_stepup-browser.XXXXXX)
chmod 755 "$tmp"            # httpd's children (www-data) read the site below
demo=(env STEPUP_DEMO_PORT="$port" STEPUP_DEMO_DIR="$tmp/demo"
      STEPUP_DEMO_AAGUIDS="$tmp/aaguids" bash scripts/demo)
stop() {
  "${demo[@]}" stop >/dev/null 2>&1
  rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT TERM

# Chromium's virtual authenticator reports this AAGUID: its device-bound
# passkeys count as hardware-bound (phrh), its synced ones stay phr.
echo "01020304-0506-0708-0102-030405060708" > "$tmp/aaguids"
if ! "${demo[@]}" > "$tmp/demo.out" 2>&1; then
  echo "browser-test: the demo did not start:" >&2
  cat "$tmp/demo.out" >&2
  exit 1
fi
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
echo "browser-test: demo on http://localhost:$port/ ($tmp/demo)"

artifacts="$top/t/browser/artifacts"
mkdir -p "$artifacts"
rm -f "$artifacts"/*.png
# STEPUP_DEMO_DIR: the tests mint an administrator's token with its key
# file (stepupctl) to start each test from a user with no passkey
(cd t/browser && STEPUP_BASE_URL="http://localhost:$port" STEPUP_ARTIFACTS="$artifacts" \
   STEPUP_DEMO_DIR="$tmp/demo" STEPUPCTL="$top/tools/stepupctl" \
   node --test --test-concurrency=1 tests/)
status=$?

shots=("$artifacts"/*.png)
if [ -e "${shots[0]}" ]; then
  echo "browser-test: screenshots:"
  printf '  %s\n' "${shots[@]}"
fi
if [ "$status" -ne 0 ]; then
  echo "browser-test: failed; the end of the demo's error_log:"
  tail -n 30 "$tmp/demo/error_log" 2>/dev/null | sed 's/^/  /'
fi
exit "$status"
