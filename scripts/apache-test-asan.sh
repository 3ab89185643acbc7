#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the Apache::Test suite against mod_stepup and stepupctl built with
# AddressSanitizer and UndefinedBehaviorSanitizer (gcc), and fails on any
# sanitizer report.
#
#   bash scripts/apache-test-asan.sh [t/foo.t ...]
#
# Builds in a copy of the tree under /tmp (the checkout, configured in
# place, is left alone), then runs scripts/apache-test.sh with
# STEPUP_MODULE_OVERRIDE and STEPUPCTL_OVERRIDE naming the sanitized
# builds and HTTPD a wrapper that starts the uninstrumented httpd with
# libasan preloaded (the ASan runtime must come first in the process).
# httpd runs as usual, with its children. Reports go to files (ASan and
# UBSan log_path) in a directory of their own: any report fails the run
# and is printed. Leak checking is off: httpd leaves its pools to exit.
# Needs what scripts/apache-test.sh needs; takes about as long again,
# plus a few minutes of building. KEEP_ASAN=1 keeps the build and the
# reports (the path is printed).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
httpd_bin=${HTTPD:-/usr/sbin/apache2}
san="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined"

die() { echo "apache-test-asan: $*" >&2; exit 2; }

libasan=$(readlink -f "$(gcc -print-file-name=libasan.so)")
[ -f "$libasan" ] || die "libasan is missing (gcc's libasan8)"
[ -x "$httpd_bin" ] || die "$httpd_bin is missing: run scripts/deps.sh"

work=$(mktemp -d /tmp/stepup-asan.XXXXXX)
cleanup() {
  if [ "${KEEP_ASAN:-0}" = 1 ]; then
    echo "apache-test-asan: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# A copy of the sources and of the generated autotools files (configure,
# Makefile.in: scripts/build.sh made them), without the in-tree build.
cd "$top"
[ -x configure ] && [ -f Makefile.in ] || bash scripts/build.sh
{
  if git rev-parse --git-dir >/dev/null 2>&1; then
    git ls-files -co --exclude-standard \
      | while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done
  else
    find . -path ./.git -prune -o -type f ! -name '*.o' ! -name '*.lo' \
      ! -path '*/.libs/*' ! -name Makefile ! -name 'config.*' -print
  fi
  printf '%s\n' configure Makefile.in aclocal.m4
  find build-aux m4 -type f
} | sort -u | tar -cf - -T - | tar -C "$work" -xf -

echo "apache-test-asan: building with $san in $work"
(
  cd "$work"
  ./configure -q --disable-dependency-tracking CFLAGS="$san" \
    LDFLAGS="-fsanitize=address,undefined"
  make -s -j"$(nproc)" src/httpd/assets.c
  make -s -j"$(nproc)" mod_stepup.la tools/stepupctl
) || die "build failed"

# Reports: one file per process, in a directory the test user can write.
reports="$work/reports"
mkdir -m 1777 "$reports"
chmod 755 "$work"
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=0:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1"

cat >"$work/httpd" <<EOF
#!/bin/sh
# $httpd_bin with the ASan runtime first (scripts/apache-test-asan.sh)
LD_PRELOAD="$libasan\${LD_PRELOAD:+:\$LD_PRELOAD}" exec "$httpd_bin" "\$@"
EOF
chmod 755 "$work/httpd"

status=0
STEPUP_MODULE_OVERRIDE="$work/.libs/mod_stepup.so" \
STEPUPCTL_OVERRIDE="$work/tools/stepupctl" \
HTTPD="$work/httpd" \
  bash "$top/scripts/apache-test.sh" "$@" || status=$?

shopt -s nullglob
found=("$reports"/*)
if ((${#found[@]})); then
  echo "apache-test-asan: ${#found[@]} sanitizer report(s):"
  for f in "${found[@]}"; do
    echo "---- ${f##*/}"
    head -n 60 "$f"
  done
  status=1
else
  echo "apache-test-asan: no sanitizer report"
fi
if [ "$status" -eq 0 ]; then
  echo "apache-test-asan: passed"
else
  echo "apache-test-asan: FAILED"
fi
exit "$status"
