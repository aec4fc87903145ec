#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for tests and prints its URL.
#   eval "$(scripts/pg-temp.sh start)"   → exports TEST_DATABASE_URL and PGTEMP_DIR
#   scripts/pg-temp.sh stop "$PGTEMP_DIR"
# The server runs as the `postgres` user (it refuses to run as root) in a fresh data
# directory, trusts local connections, and is gone after `stop`.
set -euo pipefail
cmd=${1:-start}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    port=${PGTEMP_PORT:-55432}
    # The first free port from there (several servers may run side by side).
    while (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do port=$((port + 1)); done
    dir=$(mktemp -d /tmp/selaras-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres selaras_test
    echo "export PGTEMP_DIR=$dir"
    echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/selaras_test"
    ;;
  stop)
    dir=${2:?usage: pg-temp.sh stop DIR}
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: pg-temp.sh start | stop DIR" >&2; exit 2 ;;
esac
