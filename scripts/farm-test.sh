#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The farm and fault tests of mod_stepup: t/farm/*.t,
# plain Test::More files run by prove (not Apache::Test).
#
#   bash scripts/farm-test.sh [t/farm/foo.t ...]
#
# As root on Debian 12, after scripts/deps.sh (which installs redis-server,
# memcached, postgresql, libaprutil1-dbd-pgsql, wrk, apache2-utils, LWP's
# https, openssl and libfaketime) and scripts/build.sh. Starts on 127.0.0.1
# only, on free ports: Redis,
# memcached and PostgreSQL (initdb in a temporary directory, run as the
# unprivileged user $STEPUP_TEST_USER, default stepuptest). The tests start
# their own httpd pairs (t/farm/lib/Farm.pm). Everything is stopped on exit;
# the exit status is prove's.
# Environment: FARM_LOAD_SECONDS (default 60) is the length of the load test
# (t/farm/load.t); KEEP_FARM=1 keeps the temporary directory.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
test_user=${STEPUP_TEST_USER:-stepuptest}
die() { echo "farm-test: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "run as root (runs httpd as www-data, the databases as $test_user)"
[ -f "$top/.libs/mod_stepup.so" ] || die "run scripts/build.sh first"
[ -x "$top/tools/stepupctl" ] || die "run scripts/build.sh first"

missing=()
for p in redis-server memcached postgresql libaprutil1-dbd-pgsql wrk \
         apache2-utils libwww-perl liblwp-protocol-https-perl openssl \
         libfaketime libjson-pp-perl libcbor-xs-perl libcryptx-perl; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
((${#missing[@]} == 0)) || die "missing ${missing[*]}: run scripts/deps.sh"
id -u "$test_user" >/dev/null 2>&1 \
  || die "no user $test_user: run scripts/deps.sh"

free_port() {
  perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr =>
    "127.0.0.1", LocalPort => 0, Listen => 1, ReuseAddr => 1) or die $!;
    print $s->sockport'
}

dir=$(mktemp -d /tmp/stepup-farm.XXXXXX)
chmod 755 "$dir"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

cleanup() {
  local status=$?
  set +e
  # httpd servers a test left behind (normally stopped by the test)
  for pidfile in "$dir"/farm*/*/httpd.pid; do
    [ -f "$pidfile" ] || continue
    /usr/sbin/apache2 -f "${pidfile%/httpd.pid}/httpd.conf" -k stop 2>/dev/null
  done
  for name in redis memcached; do
    if [ -f "$dir/$name.pid" ]; then
      kill "$(cat "$dir/$name.pid")" 2>/dev/null
    fi
  done
  if [ -d "$dir/pg" ]; then
    runuser -u "$test_user" -- "$pgbin/pg_ctl" -D "$dir/pg" -m fast \
      stop >/dev/null 2>&1
  fi
  sleep 1
  if [ "${KEEP_FARM:-0}" = 1 ]; then
    echo "farm-test: kept $dir"
  else
    rm -rf "$dir"
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

export FARM_DIR="$dir" FARM_TOP="$top"
FARM_REDIS_PORT=$(free_port)
FARM_MEMCACHED_PORT=$(free_port)
FARM_PG_PORT=$(free_port)
export FARM_REDIS_PORT FARM_MEMCACHED_PORT FARM_PG_PORT
export FARM_LOAD_SECONDS=${FARM_LOAD_SECONDS:-60}

# Redis and memcached, started again by the fault tests with the same
# commands (Farm::cache_start).
cat >"$dir/redis.cmd" <<EOF
exec runuser -u $test_user -- redis-server --bind 127.0.0.1 \
  --port $FARM_REDIS_PORT --save '' --appendonly no --daemonize yes \
  --pidfile $dir/redis.pid --logfile $dir/redis.log --dir $dir/redis
EOF
cat >"$dir/memcached.cmd" <<EOF
exec memcached -d -u $test_user -l 127.0.0.1 -p $FARM_MEMCACHED_PORT \
  -U 0 -m 64 -c 1024 -P $dir/memcached.pid
EOF
# PostgreSQL: pg.cmd start|stop|restart
cat >"$dir/pg.cmd" <<EOF
exec runuser -u $test_user -- $pgbin/pg_ctl -D $dir/pg -l $dir/pg.log \
  -o "-c listen_addresses=127.0.0.1 -p $FARM_PG_PORT -k $dir/pgsock -c max_connections=200" \
  -w -t 30 -m fast "\$1"
EOF
install -d -o "$test_user" "$dir/redis" "$dir/pgsock"
touch "$dir/redis.pid" "$dir/memcached.pid"
chown "$test_user" "$dir/redis.pid" "$dir/memcached.pid"
chmod 777 "$dir"   # the daemons (as $test_user) write their pid files here
bash "$dir/redis.cmd"
bash "$dir/memcached.cmd"

install -d -o "$test_user" -m 0700 "$dir/pg"
runuser -u "$test_user" -- "$pgbin/initdb" -D "$dir/pg" -U stepup \
  --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log"; die "initdb failed"; }
bash "$dir/pg.cmd" start >/dev/null || { cat "$dir/pg.log"; die "postgres did not start"; }
psql -X -q -h 127.0.0.1 -p "$FARM_PG_PORT" -U stepup -d postgres \
  -c "CREATE DATABASE stepup" >/dev/null
psql -X -q -h 127.0.0.1 -p "$FARM_PG_PORT" -U stepup -d stepup \
  -v ON_ERROR_STOP=1 -f "$top/conf/schema.sql" >/dev/null

for port in "$FARM_REDIS_PORT" "$FARM_MEMCACHED_PORT"; do
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done
echo "farm-test: redis :$FARM_REDIS_PORT, memcached :$FARM_MEMCACHED_PORT," \
     "postgresql :$FARM_PG_PORT, in $dir"

tests=("$@")
if ((${#tests[@]} == 0)); then
  tests=("$top"/t/farm/*.t)
fi
cd "$top"
prove -I t/farm/lib -I t/lib "${tests[@]}"
