#!/usr/bin/env bash
# Askesos reports at scale (BENCHMARKS.md, issue #7).
#  1. A SQLite database with N New Initiative members in N/200 LPAs (200 a LPA, as in
#     the old scheme's counts) of 30 regencies: each member's 12 subsidised months (two
#     payments), then 0–12 months paid by the member one by one, and one paid claim in
#     fifty — written by SQL, like years of desk work.
#  2. `selaras serve` answers GET /api/v1/askesos/reports (every member's ledger
#     evaluated, then members, retention, money and lateness tables) nationally by LPA
#     and by region, and for one regency: 10 timed requests each (curl).
#  3. For comparison, what an analyst would otherwise run on exports of the same tables:
#     contributions and fees by LPA and year in DuckDB over CSV (bench/duckdb_askesos.py),
#     plus the export itself.
# Usage: bench/askesos.sh MEMBERS [WORKDIR]. Needs: sqlite3, curl; pip install duckdb.
set -euo pipefail
n=${1:?members}
work=${2:-/tmp/selaras-askesos-$n}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q --manifest-path "$root/Cargo.toml" -p selaras
bin="$root/target/release/selaras"
mkdir -p "$work"
db="$work/askesos.db"
url="sqlite://$db"
lpas=$(( n / 200 > 0 ? n / 200 : 1 ))
if [ ! -f "$db" ]; then
    echo "writing $n members (once)" >&2
    "$bin" askesos sweep --db "$url" >/dev/null
    sqlite3 "$db" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $lpas)
INSERT INTO askesos_lpas (name, legal_form, region, address, product_code, status, proposed_by, proposed_at, designated_by, designated_on, accreditation, version)
SELECT 'LPA ' || i, 'yayasan', printf('33.%02d', 1 + i % 30), '', 'askesos_ni', 'designated', 'bench', '2012-01-01T00:00:00Z', 'kemensos', '2012-01-02', 'none', 2 FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
INSERT INTO askesos_members (member_no, lpa_id, product_code, product_version, nik, household_id, region, name, birth_date, occupation, employment_status, enrolled_at, enrolled_by, cover_start, checks, state, card_issued_on, card_holder, card_delivered_on, version)
SELECT printf('ASK-%08d', i), 1 + i % $lpas, 'askesos_ni', 1, printf('33%014d', i), 'H' || i,
       printf('33.%02d.01.2001', 1 + (1 + i % $lpas) % 30), 'Peserta ' || i, '1980-01-01', 'buruh_tani', 'casual',
       '2013-01-01T00:00:00Z', 'bench', printf('2013-%02d-01', 1 + i % 12), '[]', 'active',
       printf('2013-%02d-01', 1 + i % 12), CASE WHEN i % 3 = 0 THEN 'member' ELSE 'lpa' END,
       CASE WHEN i % 3 = 0 THEN printf('2013-%02d-15', 1 + i % 12) END, 1 FROM s;
INSERT INTO askesos_payments (member_id, paid_on, months, amount, payer, reinstate, reference, recorded_by, recorded_at)
SELECT id, cover_start, 6, 62400, 'subsidy', 0, '', 'bench', '2013-01-01T00:00:00Z' FROM askesos_members;
INSERT INTO askesos_payments (member_id, paid_on, months, amount, payer, reinstate, reference, recorded_by, recorded_at)
SELECT id, date(cover_start, '+6 months'), 6, 62400, 'subsidy', 0, '', 'bench', '2013-01-01T00:00:00Z' FROM askesos_members;
WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 11)
INSERT INTO askesos_payments (member_id, paid_on, months, amount, payer, reinstate, reference, recorded_by, recorded_at)
SELECT m.id, date(m.cover_start, '+' || (12 + k.j) || ' months'), 1, 10400, 'member', 0, '', 'bench', '2014-01-01T00:00:00Z'
FROM askesos_members m JOIN k ON k.j < m.id % 13 ORDER BY m.id, k.j;
INSERT INTO askesos_claims (claim_no, member_id, event, event_date, filed_on, claimant_nik, activity, occupation, illness_days, cost, documents, state, amount, basis, complete_on, due_on, paid_on, paid_to, note, opened_by, created_at, version)
SELECT printf('KLM-%08d', id), id, 'accident', date(cover_start, '+3 months'), date(cover_start, '+3 months', '+2 days'), nik, 'commute', NULL, NULL, 5000000, '[]', 'paid', 5000000, '',
       date(cover_start, '+3 months', '+3 days'), date(cover_start, '+3 months', '+20 days'),
       date(cover_start, '+3 months', CASE WHEN id % 100 = 0 THEN '+30 days' ELSE '+10 days' END), nik, '', 'bench', '2013-01-01T00:00:00Z', 4
FROM askesos_members WHERE id % 50 = 0;
COMMIT;
SQL
    printf 'kata-sandi-bench\n' | "$bin" user add --db "$url" --username bench.admin --role admin >/dev/null
    printf 'kata-sandi-bench\n' | "$bin" user add --db "$url" --username bench.man --role manager --region 33.05 >/dev/null
fi
echo "members=$(sqlite3 "$db" 'SELECT COUNT(*) FROM askesos_members') payments=$(sqlite3 "$db" 'SELECT COUNT(*) FROM askesos_payments') claims=$(sqlite3 "$db" 'SELECT COUNT(*) FROM askesos_claims') lpas=$lpas"
port=18431
"$bin" serve --db "$url" --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token() { curl -fs -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"kata-sandi-bench\"}" "http://127.0.0.1:$port/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
admin=$(token bench.admin)
man=$(token bench.man)
timed() {
    local label=$1 tok=$2 path=$3
    local times=()
    for _ in $(seq 10); do
        times+=("$(curl -fs -o /dev/null -w '%{time_total}' -H "authorization: Bearer $tok" "http://127.0.0.1:$port$path")")
    done
    printf '%s\n' "${times[@]}" | sort -n | python3 -c "
import sys; t=[float(x) for x in sys.stdin]; print(f'$label: median {t[len(t)//2]*1000:.0f} ms, max {t[-1]*1000:.0f} ms')"
}
timed "report, nation by LPA (admin)" "$admin" "/api/v1/askesos/reports?by=lpa&from=2013-01-01&to=2014-12-31"
timed "report, nation by regency (admin)" "$admin" "/api/v1/askesos/reports?by=region&from=2013-01-01&to=2014-12-31"
timed "report, one regency by LPA (manager)" "$man" "/api/v1/askesos/reports?by=lpa&from=2013-01-01&to=2014-12-31"
kill $pid 2>/dev/null || true
t0=$(date +%s.%N)
sqlite3 -header -csv "$db" 'SELECT m.lpa_id, p.paid_on, p.amount, p.payer FROM askesos_payments p JOIN askesos_members m ON m.id = p.member_id' >"$work/payments.csv"
t1=$(date +%s.%N)
printf 'export of payments to CSV (sqlite3): %.0f ms\n' "$(echo "($t1 - $t0) * 1000" | bc)"
python3 "$root/bench/duckdb_askesos.py" "$work/payments.csv"
