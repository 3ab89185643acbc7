#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The end-to-end browser tests (t/browser/tests/): Debian's Chromium driven
# by playwright-core, passkeys through Chromium's CDP virtual authenticator.
# Needs what scripts/deps.sh installs (chromium, node,
# t/browser/node_modules); starts the demo (scripts/demo) on a free port in a
# temporary directory, runs the tests against http://localhost:PORT
# (WebAuthn needs a domain name), stops
# the demo and exits with the tests' status. Build first (scripts/build.sh):
# this script builds nothing itself. Screenshots go to t/browser/artifacts/.
# Arguments name test files to run instead of all of them, e.g.
#   bash scripts/browser-test.sh tests/03-high-assurance.test.mjs
# A hardware security key (phrh) needs an attestation that chains to the
# demo's roots: Chromium's virtual authenticators cannot give one (see
# t/browser/tests/softkey.mjs), so this script makes a test CA, adds it to
# the demo's roots (STEPUP_DEMO_ROOTS) and issues the attestation
# certificate of the tests' software security key (STEPUP_SOFTKEY_DIR).
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(node)
command -v npm >/dev/null || missing+=(npm)
[ -d t/browser/node_modules/playwright-core ] \
  && [ -d t/browser/node_modules/axe-core ] || missing+=(t/browser/node_modules)
if ((${#missing[@]})); then
  echo "browser-test: missing ${missing[*]}: run scripts/deps.sh" >&2
  exit 1
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
      STEPUP_DEMO_AAGUIDS="$tmp/aaguids" STEPUP_DEMO_ROOTS="$tmp/softkey/ca.pem"
      bash scripts/demo)
stop() {
  "${demo[@]}" stop >/dev/null 2>&1
  rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT TERM

# The listed models: Chromium's virtual authenticator (it claims this
# AAGUID, but its attestation reaches no root of the demo: its passkeys stay
# phr, which the tests check) and the tests' software security key (its
# attestation certificate is issued by the test CA below: phrh).
softkey_aaguid=5e1fca1a-7e57-4a7e-8000-00000000b17e
printf '%s\n' 01020304-0506-0708-0102-030405060708 "$softkey_aaguid" > "$tmp/aaguids"
# make_softkey DIR NAME: a test CA (DIR/ca.pem) and the software security
# key's attestation certificate issued by it (DIR/att.der, DIR/att.key) for
# the model DIR/aaguid, made by the test PKI of t/lib/SoftAuthn.pm.
make_softkey() {
  mkdir -p "$1" && echo "$softkey_aaguid" > "$1/aaguid" \
  && perl -I"$top/t/lib" -MSoftAuthn -e '
       my ($dir, $name, $aaguid) = @ARGV;
       my $ca = SoftAuthn::make_ca($dir, "ca", days => 30,
           cn => "mod_stepup browser tests attestation root $name");
       SoftAuthn::make_attestation_cert($dir, $ca,
           SoftAuthn::aaguid_bytes($aaguid), name => "att");
     ' "$1" "$2" "$softkey_aaguid" \
  && chmod 644 "$1/ca.pem"
}
# the key whose CA is one of the demo's roots, and one whose CA is not
make_softkey "$tmp/softkey" trusted > "$tmp/softkey.out" 2>&1 \
  && make_softkey "$tmp/softkey-untrusted" untrusted >> "$tmp/softkey.out" 2>&1 || {
  echo "browser-test: cannot make the test CA:" >&2; cat "$tmp/softkey.out" >&2; exit 1; }
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
[ "$#" -gt 0 ] || set -- tests/
# STEPUP_DEMO_DIR: the tests mint an administrator's token with its key
# file (stepupctl) to start each test from a user with no passkey
(cd t/browser && STEPUP_BASE_URL="http://localhost:$port" STEPUP_ARTIFACTS="$artifacts" \
   STEPUP_SOFTKEY_DIR="$tmp/softkey" STEPUP_SOFTKEY_UNTRUSTED_DIR="$tmp/softkey-untrusted" \
   STEPUP_DEMO_LOG="$tmp/demo/error_log" \
   STEPUP_DEMO_DIR="$tmp/demo" STEPUPCTL="$top/tools/stepupctl" \
   node --test --test-concurrency=1 "$@")
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
