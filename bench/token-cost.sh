#!/usr/bin/env bash
# Instructions (callgrind) per token verification against one bare
# HMAC-SHA256 over the same bytes. Build first (scripts/build.sh).
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
oneshot=$(per_op oneshot)
printf '%-44s %12s\n' "operation (user \"$user\", $n runs)" "instructions"
printf '%-44s %12d\n' "stepup_token_verify (whole check)" "$verify"
printf '%-44s %12d\n' "HMAC-SHA256, keyed state prepared once" "$hmac"
printf '%-44s %12d\n' "HMAC-SHA256, OpenSSL HMAC() one-shot" "$oneshot"
awk -v v="$verify" -v h="$hmac" -v o="$oneshot" 'BEGIN {
  printf "verify / prepared HMAC: %.2fx   verify / one-shot HMAC: %.2fx\n", v / h, v / o }'
