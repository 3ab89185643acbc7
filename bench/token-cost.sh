#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Instructions (callgrind) per token verification against one bare
# HMAC-SHA256 over the same bytes (the signed part of the token), done
# three ways. Build first (scripts/build.sh).
#   bench/token-cost.sh [ITERATIONS] [USER]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
user=${2:-alice@example.com}
bin=bench/token_cost
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }

instructions() {  # mode iterations -> total Ir
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" "$user" >/dev/null 2>&1
  callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
  rm -f "$out"
}

per_op() {  # mode -> instructions per operation (start-up subtracted)
  local base full
  base=$(instructions "$1" 0)
  full=$(instructions "$1" "$n")
  echo $(( (full - base) / n ))
}

verify=$(per_op verify)
hmac=$(per_op hmac)
reuse=$(per_op reuse)
oneshot=$(per_op oneshot)
bytes=$("$bin" verify 0 "$user" | sed -n 's/.*token_bytes=\([0-9]*\).*/\1/p')
printf '%-58s %12s\n' "operation (user \"${user:0:20}$([ ${#user} -gt 20 ] && echo ...)\", token of $bytes bytes)" "instructions"
printf '%-58s %12d\n' "stepup_token_verify (whole check)" "$verify"
printf '%-58s %12d\n' "HMAC-SHA256, copy of a keyed context (stepup_key_mac)" "$hmac"
printf '%-58s %12d\n' "HMAC-SHA256, one keyed context re-initialised" "$reuse"
printf '%-58s %12d\n' "HMAC-SHA256, OpenSSL HMAC() one-shot" "$oneshot"
awk -v v="$verify" -v h="$hmac" -v r="$reuse" -v o="$oneshot" 'BEGIN {
  printf "verify / bare HMAC: %.2fx (copied context), %.2fx (re-initialised), %.2fx (one-shot); goal <= 2x\n", v / h, v / r, v / o }'
