#!/usr/bin/env bash
# `selaras rank` against the same ranking in DuckDB on the same files, and the read floor
# (BENCHMARKS.md). Usage: bench/rank-vs-duckdb.sh HOUSEHOLDS [WORKDIR]
# Needs: python3 with duckdb and datafusion (`pip install duckdb datafusion`).
set -euo pipefail
n=${1:?households}
work=${2:-/tmp/selaras-bench-$n}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q --manifest-path "$root/Cargo.toml" -p selaras
cargo build --release -q --manifest-path "$root/Cargo.toml" -p selaras-targeting --example scan
bin="$root/target/release/selaras"
model="$root/fixtures/conformance/model.json"
mkdir -p "$work"
[ -f "$work/d/members.csv" ] || "$bin" generate --households "$n" --seed 42 --out "$work/d" >/dev/null
sync
cat "$work/d/households.csv" "$work/d/members.csv" >/dev/null # warm the page cache for all

run() { # label, command…
    local label=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null
    t1=$(date +%s.%N)
    printf '| %s | %.2f s | %d MB |\n' "$label" "$(echo "$t1 - $t0" | bc)" $(( $(cat "$work/rss") / 1024 ))
}
echo "| $n households | wall time | peak RSS |"
echo "| --- | ---: | ---: |"
run "read floor: parse every CSV record, 2 threads (examples/scan)" "$root/target/release/examples/scan" "$work/d"
run "selaras rank" "$bin" rank --data "$work/d" --model "$model" --out "$work/ranks-selaras.csv"
run "DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)') (bench/duckdb_rank.py)" python3 "$root/bench/duckdb_rank.py" "$work/d" "$model" "$work/ranks-duckdb.csv"
run "DataFusion $(python3 -c 'import datafusion; print(datafusion.__version__)') (bench/datafusion_rank.py)" python3 "$root/bench/datafusion_rank.py" "$work/d" "$model" "$work/ranks-datafusion.csv"
python3 "$root/bench/compare_ranks.py" "$work/ranks-selaras.csv" "$work/ranks-duckdb.csv"
python3 "$root/bench/compare_ranks.py" "$work/ranks-selaras.csv" "$work/ranks-datafusion.csv"
