#!/usr/bin/env bash
# Import/export throughput against the `psql \copy` floor (BENCHMARKS.md).
# Usage: scripts/bench-import.sh HOUSEHOLDS [WORKDIR]
# Needs PostgreSQL: uses TEST_DATABASE_URL, or starts a throwaway server (scripts/pg-temp.sh).
set -euo pipefail
n=${1:?households}
work=${2:-/tmp/selaras-bench-$n}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q --manifest-path "$root/Cargo.toml"
bin="$root/target/release/selaras"
if [ -z "${TEST_DATABASE_URL:-}" ]; then
    eval "$("$root/scripts/pg-temp.sh" start)"
    trap '"$root/scripts/pg-temp.sh" stop' EXIT
fi
base=${TEST_DATABASE_URL%/*}
mkdir -p "$work"
[ -f "$work/d/members.csv" ] || "$bin" generate --households "$n" --seed 42 --out "$work/d" >/dev/null
members=$(($(wc -l <"$work/d/members.csv") - 1))

run() { # label, command…: one table row
    local label=$1; shift
    local t0 t1 secs
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
    t1=$(date +%s.%N)
    secs=$(echo "$t1 - $t0" | bc)
    printf '| %s | %.1f s | %.1fk | %d MB |\n' "$label" "$secs" "$(echo "$members / $secs / 1000" | bc -l)" $(( $(cat "$work/rss") / 1024 ))
}
fresh_pg() { psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1; }

echo "| step ($n households, $members members) | wall time | members/s | peak RSS |"
echo "| --- | ---: | ---: | ---: |"
# The same generation again, timed: how fast this machine is during this run (shared
# machines vary by a third from hour to hour).
rm -rf "$work/g"
run "generate (machine-speed reference)" "$bin" generate --households "$n" --seed 42 --out "$work/g"
rm -rf "$work/g"
rm -f "$work"/s.db*
run "import, SQLite, fresh" "$bin" import --db "sqlite://$work/s.db" "$work/d"
run "re-import, SQLite (nothing changed)" "$bin" import --db "sqlite://$work/s.db" "$work/d"
rm -rf "$work/e"
run "export, SQLite" "$bin" export --db "sqlite://$work/s.db" --out "$work/e"
fresh_pg bench_imp
run "import, PostgreSQL, fresh" "$bin" import --db "$base/bench_imp" "$work/d"
run "re-import, PostgreSQL (nothing changed)" "$bin" import --db "$base/bench_imp" "$work/d"
fresh_pg bench_copy
psql -q "$base/bench_copy" -f "$root/scripts/bench-copy-tables.sql" >/dev/null
run "\`psql \\copy\` into plain tables (floor)" sh -c "psql -q '$base/bench_copy' -c \"\\copy households from '$work/d/households.csv' (format csv, header true)\" && psql -q '$base/bench_copy' -c \"\\copy members from '$work/d/members.csv' (format csv, header true)\""
