#!/usr/bin/env bash
# Installs what building and testing mod_stepup need on Debian 12, once.
set -euo pipefail

packages=(
  apache2 apache2-dev libapache2-mod-perl2 libwww-perl
  libcryptx-perl libcbor-xs-perl
  libaprutil1-dbd-sqlite3 sqlite3
  libcbor-dev libjansson-dev libssl-dev libcmocka-dev
  pkg-config autoconf automake libtool make gcc valgrind
  chromium nodejs
  clang libclang-rt-14-dev llvm   # fuzz.sh run: libFuzzer, llvm-symbolizer
)
# npm for the browser tests (t/browser): NodeSource's nodejs package ships
# its own npm and conflicts with Debian's, so only when there is none.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: run as root (or install: ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
