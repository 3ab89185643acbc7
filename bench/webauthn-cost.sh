#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ES256 assertion verifications per second through the WebAuthn core
# (stepup_webauthn_verify_authentication) against a bare OpenSSL P-256
# EVP_DigestVerify over the same bytes, measured in the same run, then the
# same comparison in instructions (callgrind), which a busy machine does
# not disturb. Build first (scripts/build.sh).
#   bench/webauthn-cost.sh [SECONDS_PER_ROUND] [ROUNDS] [CALLGRIND_ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1}
rounds=${2:-5}
n=${3:-200}
bin=bench/webauthn_cost
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }

"$bin" "$seconds" "$rounds"

command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null \
  || { echo "(valgrind not installed: no instruction counts)"; exit 0; }

instructions() {  # mode iterations -> total Ir
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" count "$1" "$2" >/dev/null 2>&1
  callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
  rm -f "$out"
}

per_op() {  # mode -> instructions per verification (set-up subtracted)
  local base full
  base=$(instructions "$1" 0)
  full=$(instructions "$1" "$n")
  echo $(( (full - base) / n ))
}

core=$(per_op core)
raw=$(per_op raw)
printf 'instructions per verification (callgrind, %d runs):\n' "$n"
printf '  %-52s %10d\n' "stepup_webauthn_verify_authentication" "$core"
printf '  %-52s %10d\n' "raw OpenSSL P-256 EVP_DigestVerify (key prepared)" "$raw"
awk -v c="$core" -v r="$raw" 'BEGIN {
  printf "  ratio raw / core (as a rate ratio): %.3f (goal >= 0.9)\n", r / c }'
