#!/usr/bin/env bash
# Time `ictguard flows` on seeded synthetic transfer records of growing size, with peak memory,
# to show throughput and that memory does not grow with the input (it is bounded by the number of
# counterparties and the days of the 12-month window).
#   bench/flows.sh [ROWS...]     (default: 200000 1000000 3000000)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release -q
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "rows      wall_s  peak_rss_MB  transfers_per_s"
for rows in "${@:-200000 1000000 3000000}"; do
  for n in $rows; do
    python3 bench/gen_transfers.py "$n" --seed 7 > "$tmp/t.csv"
    /usr/bin/time -f "%e %M" -o "$tmp/time" target/release/ictguard flows "$tmp/t.csv" --json --exit-zero \
      -o "$tmp/out.jsonl" 2>/dev/null
    read -r wall kb < "$tmp/time"
    python3 -c "print(f'{$n:<9} {$wall:>6.2f}  {$kb/1024:>11.1f}  {$n/$wall:>15,.0f}')"
  done
done
