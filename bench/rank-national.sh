#!/usr/bin/env bash
# The national run of issue #3: `selaras rank` over 30 M generated households (~116 M
# people, ~21 GB of CSV), with wall time and peak memory (goal: peak ≤ 8 GB), and the
# read floor on the same files. Usage: bench/rank-national.sh [HOUSEHOLDS] [WORKDIR]
set -euo pipefail
n=${1:-30000000}
work=${2:-/tmp/selaras-bench-$n}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q --manifest-path "$root/Cargo.toml" -p selaras
cargo build --release -q --manifest-path "$root/Cargo.toml" -p selaras-targeting --example scan
bin="$root/target/release/selaras"
model="$root/fixtures/conformance/model.json"
mkdir -p "$work"
if [ ! -f "$work/d/members.csv" ]; then
    /usr/bin/time -f "generate: %e s, peak %M KB" "$bin" generate --households "$n" --seed 42 --out "$work/d"
fi
du -sh "$work/d"
/usr/bin/time -f "read floor: %e s, peak %M KB" "$root/target/release/examples/scan" "$work/d" >/dev/null
/usr/bin/time -f "selaras rank: %e s, peak %M KB" "$bin" rank --data "$work/d" --model "$model" --out "$work/ranks.csv"
wc -l "$work/ranks.csv"
