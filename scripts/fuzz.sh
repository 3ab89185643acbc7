#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The fuzz targets (fuzz/, fuzz/README.md), built with what configure found
# (`make -s build-env`): run scripts/build.sh first.
#
#   bash scripts/fuzz.sh run [SECONDS] [TARGET...]
#       compiles the core afresh with clang, libFuzzer, AddressSanitizer and
#       UndefinedBehaviorSanitizer in fuzz/build (not the libtool objects),
#       links each target and runs it for SECONDS (default 60) from its
#       seeds in fuzz/corpus/<target>: new inputs go to
#       fuzz/build/corpus/<target>, crashes to fuzz/build/crashes. FUZZ_CC
#       names another clang.
#   bash scripts/fuzz.sh replay [TARGET...]
#       links each target with fuzz/replay.c, the configured compiler and
#       flags and libstepupcore.la, and feeds it its corpus once: one line
#       "fuzz corpus T: ok, N inputs" or "fuzz corpus T: FAILED" per target
#       (scripts/test counts them), then a total. Works in any configured
#       tree, such as the sanitized copy scripts/test makes.
#   bash scripts/fuzz.sh seeds [TARGET...]
#       rewrites the seeds in fuzz/corpus with fuzz/mkseeds.c.
#
# Every target by default: the names of fuzz/fuzz_*.c. Exits non-zero when
# a target fails to build or fails.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "fuzz.sh: $*" >&2; exit 2; }

[ -f Makefile ] || die "not configured: run bash scripts/build.sh first"

# The configured values as mk_NAME, each a text for the shell (quotes and
# escapes as make hands them over): used through eval, as make does.
while IFS= read -r line; do
  case $line in
    [A-Z_]*=*) printf -v "mk_${line%%=*}" '%s' "${line#*=}" ;;
  esac
done < <(make -s build-env)
[ -n "${mk_CC:-}" ] || die "make build-env printed nothing"

# The private WebAuthn header (src/webauthn/webauthn_internal.h) is for
# the unit tests and the fuzzers only.
internal="-Isrc/webauthn"

all_targets() {
  local f
  for f in fuzz/fuzz_*.c; do
    f=${f#fuzz/fuzz_}
    echo "${f%.c}"
  done
}

# cc ARGS...: the configured compiler and flags, as make compiles.
cc() {
  eval "$mk_CC $mk_DEFS $mk_AM_CPPFLAGS $internal $mk_CPPFLAGS" \
       "$mk_AM_CFLAGS $mk_CFLAGS" '"$@"'
}

# ld OUT OBJECTS...: linked by libtool against libstepupcore.la.
ld() {
  local out=$1
  shift
  eval "$mk_LIBTOOL --silent --tag=CC --mode=link $mk_CC $mk_AM_CFLAGS" \
       "$mk_CFLAGS $mk_LDFLAGS" '-o "$out" "$@"' \
       "libstepupcore.la $mk_DEPS_LIBS -ldl"
}

# ---- replay ------------------------------------------------------------

replay_one() {   # replay_one TARGET: 0 when it built and passed
  local t=$1 dir=fuzz/replay out
  if ! { cc -c "fuzz/fuzz_$t.c" -o "$dir/fuzz_$t.o" \
         && ld "$dir/$t" "$dir/fuzz_$t.o" "$dir/replay.o" "$dir/palloc.o"; \
       } >"$dir/$t.err" 2>&1; then
    echo "fuzz corpus $t: FAILED (build)"
    cat "$dir/$t.err"
    return 1
  fi
  if out=$("$dir/$t" "fuzz/corpus/$t" 2>"$dir/$t.err"); then
    echo "fuzz corpus $t: ok, $out"
    inputs=$((inputs + ${out%% *}))
  else
    echo "fuzz corpus $t: FAILED"
    cat "$dir/$t.err"
    return 1
  fi
}

replay() {
  local t bad=0 n=0
  inputs=0
  make -s libstepupcore.la
  rm -rf fuzz/replay
  mkdir -p fuzz/replay
  cc -c fuzz/replay.c -o fuzz/replay/replay.o
  cc -c fuzz/palloc.c -o fuzz/replay/palloc.o
  for t in "$@"; do
    n=$((n + 1))
    replay_one "$t" || bad=$((bad + 1))
  done
  echo "fuzz corpora: $inputs inputs, $bad of $n targets failing"
  [ "$bad" -eq 0 ]
}

# ---- run ---------------------------------------------------------------

fuzz_cc=${FUZZ_CC:-clang}
build=fuzz/build
san="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined"
san="$san -fno-sanitize-recover=all"

# fcc ARGS...: clang with the sanitizers and the project's includes.
fcc() {
  eval "$fuzz_cc $san $mk_WARN_CFLAGS $mk_AM_CPPFLAGS $internal" \
       "$mk_CPPFLAGS" '"$@"'
}

# newer OUT FILE...: 0 when OUT is missing or older than one of the files.
newer() {
  local out=$1 f
  shift
  [ -f "$out" ] || return 0
  for f in "$@"; do
    [ "$f" -nt "$out" ] && return 0
  done
  return 1
}

# The core's sources compiled for libFuzzer (coverage, no main), two at a
# time, into fuzz/build/libcore.a.
build_core() {
  local src obj objs=() failed=0
  # shellcheck disable=SC2086
  newer "$build/libcore.a" $mk_CORE_SOURCES include/*.h src/webauthn/*.h \
    || return 0
  rm -rf "$build/core"
  mkdir -p "$build/core"
  echo "  FUZZ-CC  core ($fuzz_cc)"
  for src in $mk_CORE_SOURCES; do
    obj=$build/core/$(echo "${src%.c}" | tr / _).o
    objs+=("$obj")
    fcc -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
    if [ "$(jobs -rp | wc -l)" -ge 2 ]; then
      wait -n || failed=1
    fi
  done
  while [ "$(jobs -rp | wc -l)" -gt 0 ]; do
    wait -n || failed=1
  done
  wait || failed=1
  [ "$failed" -eq 0 ] || die "the core does not compile with $fuzz_cc"
  rm -f "$build/libcore.a"
  eval "$mk_AR" rcs '"$build/libcore.a"' '"${objs[@]}"'
}

build_target() {   # build_target TARGET
  local t=$1 bin=$build/fuzz_$1
  newer "$bin" "fuzz/fuzz_$t.c" fuzz/*.h fuzz/palloc.c "$build/libcore.a" \
    || return 0
  echo "  FUZZ-LD  $bin"
  fcc -fsanitize=fuzzer -o "$bin" "fuzz/fuzz_$t.c" fuzz/palloc.c \
    "$build/libcore.a" $mk_DEPS_LIBS -ldl
}

dict_of() {
  case $1 in
    registration|authentication|clientdata|body) echo "-dict=fuzz/json.dict" ;;
    attestation|att_*|cose|cbor|authdata) echo "-dict=fuzz/cbor.dict" ;;
  esac
}

run_one() {   # run_one TARGET SECONDS: 0 when clean
  local t=$1 secs=$2 log=$build/fuzz_$1.log dict
  dict=$(dict_of "$t")
  mkdir -p "$build/corpus/$t" "$build/crashes"
  # shellcheck disable=SC2086
  if "$build/fuzz_$t" -max_total_time="$secs" $dict -timeout=20 \
       -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$build/crashes/$t-" \
       "$build/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1; then
    echo "fuzz $t: ok, $(sed -n 's/^stat::number_of_executed_units: *//p' \
      "$log") runs in $secs s, $(grep -o 'cov: [0-9]*' "$log" | tail -n 1)," \
      "$(ls "$build/corpus/$t" | wc -l) inputs kept in $build/corpus/$t"
  else
    echo "fuzz $t: FAILED ($log):"
    grep -E '^(==[0-9]+==|SUMMARY|.*runtime error|.*invariant failed|artifact_prefix|Test unit written)' \
      "$log" | head -n 20
    return 1
  fi
}

run() {
  local secs=$1 t failed=
  shift
  mkdir -p "$build"
  build_core
  for t in "$@"; do
    build_target "$t"
  done
  for t in "$@"; do
    run_one "$t" "$secs" || failed="$failed $t"
  done
  [ -z "$failed" ] || { echo "fuzz: FAILED:$failed"; exit 1; }
  echo "fuzz: all targets clean"
}

# ---- seeds -------------------------------------------------------------

seeds() {
  local dir=fuzz/replay
  make -s libstepupcore.la
  mkdir -p "$dir"
  cc -It/unit -Ifuzz $mk_CMOCKA_CFLAGS -c fuzz/mkseeds.c -o "$dir/mkseeds.o"
  cc $mk_CMOCKA_CFLAGS -c t/unit/wa_fixture.c -o "$dir/wa_fixture.o"
  ld "$dir/mkseeds" "$dir/mkseeds.o" "$dir/wa_fixture.o" $mk_CMOCKA_LIBS
  "$dir/mkseeds" fuzz/corpus "$@"
}

# ---- main --------------------------------------------------------------

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  run)
    secs=60
    if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
      secs=$1
      shift
    fi
    [ $# -gt 0 ] || set -- $(all_targets)
    run "$secs" "$@"
    ;;
  replay)
    [ $# -gt 0 ] || set -- $(all_targets)
    replay "$@"
    ;;
  seeds)
    seeds "$@"
    ;;
  *)
    echo "usage: bash scripts/fuzz.sh run [SECONDS] [TARGET...] | replay [TARGET...] | seeds [TARGET...]" >&2
    exit 2
    ;;
esac
