#!/usr/bin/env bash
# `selaras eligibility` (default catalogue) against the same rules in DuckDB SQL on the same
# files, both ranking first; the four output files must be equal (BENCHMARKS.md).
# Usage: [ROUNDS=3] bench/eligibility-vs-duckdb.sh HOUSEHOLDS [WORKDIR]
# Needs: pip install duckdb. The two alternate, ROUNDS times each (the machine's speed
# drifts); the last lines give each one's median.
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
sync
cat "$work/d/households.csv" "$work/d/members.csv" >/dev/null # warm the page cache for all

rounds=${ROUNDS:-3}
run() { # key, label, command…
    local key=$1 label=$2; shift 2
    local t0 t1 t
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null
    t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc)
    echo "$t" >> "$work/times-$key"
    printf '| %s | %.2f s | %d MB |\n' "$label" "$t" $(( $(cat "$work/rss") / 1024 ))
}
median() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.2f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rm -f "$work/times-selaras" "$work/times-duckdb"
echo "| $n households | wall time | peak RSS |"
echo "| --- | ---: | ---: |"
duck="DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)')"
for round in $(seq "$rounds"); do
    run selaras "selaras eligibility (round $round)" "$bin" eligibility --data "$work/d" --model "$model" --as-of "$as_of" --out "$work/elig-selaras"
    run duckdb "$duck (bench/duckdb_eligibility.py, round $round)" python3 "$root/bench/duckdb_eligibility.py" "$work/d" "$model" "$as_of" "$work/elig-duckdb"
done
echo "median of $rounds: selaras $(median "$work/times-selaras") s, $duck $(median "$work/times-duckdb") s"
python3 "$root/bench/compare_outputs.py" "$work/elig-selaras" "$work/elig-duckdb" summary.csv gaps_by_regency.csv combinations.csv eligibility.csv
