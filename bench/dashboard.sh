#!/usr/bin/env bash
# Dashboards on a registry of N households (BENCHMARKS.md, issue #6).
#  1. The registry is imported into SQLite, ranked and judged (an eligibility run), and
#     20,000 cases with their first step are added (SQL, like a year of desk work).
#  2. `selaras stats refresh` is timed: the first (every village), then after one
#     household changed (incremental: one village), then with nothing changed.
#  3. `selaras serve` answers GET /api/v1/dashboard for the nation, a province, a regency,
#     a district and a village under load (ab: 2,000 requests, 4 at a time): p50/p95/p99.
#  4. For comparison, what one would otherwise run per request: the national figures by
#     GROUP BY over the registry files in DuckDB (bench/duckdb_dashboard.py).
# Usage: bench/dashboard.sh HOUSEHOLDS [WORKDIR]
# Needs: apt-get install -y apache2-utils sqlite3; pip install duckdb.
set -euo pipefail
n=${1:?households}
work=${2:-/tmp/selaras-bench-$n}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q --manifest-path "$root/Cargo.toml" -p selaras
bin="$root/target/release/selaras"
model="$root/fixtures/conformance/model.json"
as_of=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['as_of'])" "$model")
mkdir -p "$work"
[ -f "$work/d/members.csv" ] || "$bin" generate --households "$n" --seed 42 --out "$work/d" >/dev/null
db="$work/dash.db"
url="sqlite://$db"
t() { local t0; t0=$(date +%s.%N); "$@"; echo "  ($(echo "$(date +%s.%N) - $t0" | bc | xargs printf '%.2f') s)" >&2; }
if [ ! -f "$db" ]; then
    echo "loading $n households (once)" >&2
    t "$bin" import --db "$url" "$work/d" | tail -1
    t "$bin" rank --db "$url" --model "$model" --out "$work/dash-ranks.csv" | tail -1
    t "$bin" eligibility --db "$url" --as-of "$as_of" | tail -1
    # 20,000 submitted cases of the first households, each with its submit step.
    sqlite3 "$db" <<'SQL'
INSERT INTO cases (kind, category, description, channel, household_id, nik, region, proposed, state, version, created_at, created_by, updated_at, due_at)
SELECT 'complaint', 'membership', 'bench', 'walk_in', household_id, NULL, region_code, NULL, 'submitted', 2,
       '2026-11-01T08:00:00Z', 'bench', '2026-11-02T09:30:00Z', '2026-11-09T09:30:00Z'
FROM households ORDER BY household_id LIMIT 20000;
INSERT INTO case_events (case_id, seq, at, actor, role, action, from_state, to_state, note, program)
SELECT id, 1, '2026-11-02T09:30:00Z', 'bench', 'facilitator', 'submit', 'draft', 'submitted', NULL, NULL FROM cases WHERE created_by = 'bench';
SQL
fi

echo "| step | result | wall time |"
echo "| --- | --- | ---: |"
refresh() { # label
    local t0 out
    t0=$(date +%s.%N)
    out=$("$bin" stats refresh --db "$url" | tail -1)
    printf '| %s | `%s` | %.2f s |\n' "$1" "$out" "$(echo "$(date +%s.%N) - $t0" | bc)"
}
sqlite3 "$db" "DELETE FROM stats_state;"
refresh "stats refresh, first (every village)"
# One household surveyed today, through the import (the path every change takes).
one="$work/one"
rm -rf "$one" && mkdir -p "$one"
python3 - "$work/d/households.csv" "$one/households.csv" <<'PY'
import csv, sys, datetime
src, dst = sys.argv[1], sys.argv[2]
with open(src, newline="") as f, open(dst, "w", newline="") as g:
    r = csv.reader(f); w = csv.writer(g)
    header = next(r); w.writerow(header)
    row = next(r); row[header.index("survey_date")] = datetime.date.today().isoformat()
    w.writerow(row)
PY
head -1 "$work/d/members.csv" > "$one/members.csv"
"$bin" import --db "$url" "$one" >/dev/null
refresh "stats refresh after one household changed"
refresh "stats refresh with nothing changed"

# The server under load.
port=18181
"$bin" serve --db "$url" --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
printf 'bench-password-1\n' | "$bin" user add --db "$url" --username bench.admin --role admin >/dev/null 2>&1 || true
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/session" -H 'content-type: application/json' \
    -d '{"username":"bench.admin","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
village=$(sqlite3 "$db" "SELECT region FROM region_stats WHERE level = 'village' ORDER BY households DESC LIMIT 1")
echo
echo "| GET /api/v1/dashboard (2,000 requests, 4 at a time) | p50 | p95 | p99 | requests/s |"
echo "| --- | ---: | ---: | ---: | ---: |"
for region in "" "${village:0:2}" "${village:0:5}" "${village:0:8}" "$village"; do
    ab -q -n 2000 -c 4 -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/dashboard?region=$region" >"$work/ab.txt" 2>&1
    p() { awk -v q="$1%" '$1 == q {print $2}' "$work/ab.txt"; }
    rps=$(awk '/Requests per second/ {print $4}' "$work/ab.txt")
    failed=$(awk '/Failed requests/ {print $3}' "$work/ab.txt")
    [ "$failed" = "0" ] || { echo "failed requests: $failed" >&2; exit 1; }
    echo "| ${region:-nation} | $(p 50) ms | $(p 95) ms | $(p 99) ms | $rps |"
done
kill $server; wait $server 2>/dev/null || true; trap - EXIT
echo
python3 "$root/bench/duckdb_dashboard.py" "$work/d" "$work/dash-ranks.csv"
