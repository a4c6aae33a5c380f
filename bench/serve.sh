#!/usr/bin/env bash
# Load test: `wrk` against POST /v1/screen on loopback, with the SQLite audit trail on (every
# answer waits for its record's commit). Prints throughput and latency percentiles.
#   bench/serve.sh [SECONDS] [CONNECTIONS]     (default 15 s, 64 connections)
# env: DATABASE=postgres://…   audit to an (empty) PostgreSQL database instead of a new SQLite file
#      BIN=path/to/ictguard     another binary (e.g. an earlier release, to compare in one sitting)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-15}
CONNS=${2:-64}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
BIN=${BIN:-target/release/ictguard}
[ "$BIN" = target/release/ictguard ] && cargo build --release -q
tmp=$(mktemp -d)
db=${DATABASE:-$tmp/ictguard.db}
KEY=$("$BIN" keys create --role screen --database "$db" 2>/dev/null)
"$BIN" serve --listen 127.0.0.1:0 --database "$db" > "$tmp/addr" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do grep -q listening "$tmp/addr" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/addr")
# a mix of names, a covered package id and a near miss, as a screening client sends them
cat > "$tmp/screen.lua" <<LUA
local bodies = {
  '{"name":"Tencent Holdings Ltd."}',
  '{"package":"com.zhiliaoapp.musically","as_of":"2026-03-01"}',
  '{"name":"Northwind Traders LLC","country":"US"}',
  '{"app":"Zhi Fu Bao"}',
  '{"name":"Acme Payments GmbH"}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/v1/screen", {["Content-Type"]="application/json", ["Authorization"]="Bearer $KEY"}, bodies[(i % #bodies) + 1])
end
LUA
echo "== wrk -t2 -c$CONNS -d${SECS}s POST $url/v1/screen (audit trail on)"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$tmp/screen.lua" "$url"
records=$("$BIN" audit verify --database "$db")
echo "== audit: $records"
