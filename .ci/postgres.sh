#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: initdb in /tmp/ictguard-pg, listening on 127.0.0.1 and
# a socket in that folder only, with a role `ictguard` that may create databases (each test makes its
# own). Any instance an earlier run left there is stopped and removed first, so running this twice is
# fine. Prints the URL to give the tests as ICTGUARD_TEST_POSTGRES on stdout (all else on stderr).
#
#   .ci/postgres.sh          start (or restart) it
#   .ci/postgres.sh stop     stop it and remove its files
#
# Needs Debian's `postgresql` package (any version: the newest in /usr/lib/postgresql is used) and
# root (the server runs as the `postgres` user the package creates).
set -euo pipefail

port=${ICTGUARD_PG_PORT:-54329}
root=/tmp/ictguard-pg
data=$root/data
password=ictguard

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "postgres.sh: no PostgreSQL in /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi
id -u postgres >/dev/null 2>&1 || useradd --system --home-dir "$root" --shell /bin/sh postgres
# run as the server's user from a folder it may read
as_postgres() { (cd /tmp && runuser -u postgres -- "$@"); }

stop() {
  if [ -f "$data/postmaster.pid" ]; then
    as_postgres "$bin/pg_ctl" -D "$data" -m immediate -w stop >&2 || true
  fi
  rm -rf "$root"
}

stop
if [ "${1:-start}" = stop ]; then
  exit 0
fi

mkdir -p "$root"
chown postgres: "$root"
chmod 700 "$root"
# peer for the superuser over the socket; a password for everyone over TCP
as_postgres "$bin/initdb" -D "$data" --encoding=UTF8 --locale=C.UTF-8 \
  --auth-local=peer --auth-host=scram-sha-256 >"$root/initdb.log" 2>&1 ||
  { cat "$root/initdb.log" >&2; exit 1; }
# fsync off: the tests kill ictguard, never this server, and it is thrown away after
as_postgres "$bin/pg_ctl" -D "$data" -l "$root/server.log" -w -t 60 \
  -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
  start >&2 || { cat "$root/server.log" >&2; exit 1; }
for _ in $(seq 1 60); do
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
"$bin/pg_isready" -h 127.0.0.1 -p "$port" >&2
as_postgres "$bin/psql" -h "$root" -p "$port" -d postgres -v ON_ERROR_STOP=1 -q \
  -c "CREATE ROLE ictguard LOGIN CREATEDB PASSWORD '$password'" >&2
echo "postgres://ictguard:$password@127.0.0.1:$port/postgres"
