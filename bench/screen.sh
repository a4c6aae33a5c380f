#!/usr/bin/env bash
# Screening benchmark: ictguard against Python rapidfuzz (the peer), same names, same queries, one run.
# Needs: python3 with rapidfuzz, numpy, anyascii and pypinyin (pip install rapidfuzz numpy anyascii pypinyin).
# usage: bench/screen.sh [N_BATCH]   (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
LISTS=../shared/lists
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release -q -p ictguard
python3 bench/gen_queries.py "$N" "$WORK/q.csv" --lists "$LISTS"
target/release/ictguard rules list --json > "$WORK/pack.json"

echo "== ictguard: single-query latency (in process, one thread)"
cargo bench -q -p ictguard-screen --bench latency -- "$WORK/q.csv" 2>/dev/null | tail -1

echo "== ictguard: batch of $N records, CSV in, JSON Lines out, $(nproc) cores"
LIST_ARGS=(--list "$LISTS/sdn_2024-05-03.csv" --list "$LISTS/ofac2021_alt.csv" --list "$LISTS/ofac2021_add.csv" --list "$LISTS/csl_2019.csv" --list "$LISTS/ofac2021_dpl.txt")
start=$(date +%s.%N)
target/release/ictguard screen --input "$WORK/q.csv" --output "$WORK/out.jsonl" "${LIST_ARGS[@]}" || true
end=$(date +%s.%N)
python3 -c "import sys; n=$N; t=$end-$start; print('{\"tool\":\"ictguard\",\"batch_records\":%d,\"wall_s\":%.2f,\"batch_records_per_s\":%.0f}' % (n, t, n/t))"

echo "== peer: rapidfuzz"
python3 bench/peer_rapidfuzz.py "$WORK/q.csv" --pack "$WORK/pack.json" --lists "$LISTS" --workers "$(nproc)"
