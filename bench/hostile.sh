#!/usr/bin/env bash
# The hostile-APK corpus (ictguard_apk::hostile: one APK per attack class, built to exhaust an
# analyser) vetted by the release binary, one process per file, under the limits the tests use
# (prlimit: 1 GiB of address space, 10 s of CPU): wall and CPU time, peak RSS and exit status per
# file, from GNU time. Then the same files uploaded to `ictguard serve` (a worker process per
# vetting, with the server's default limits): the answer for each.
#
# usage: bench/hostile.sh        (needs prlimit from util-linux and GNU time: apt-get install time)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
cargo run --release -q -p ictguard-apk --features hostile --example hostile -- target/bench/hostile
BIN=target/release/ictguard
printf '%-20s %10s %8s %8s %9s %5s\n' file bytes wall_s cpu_s peak_MiB exit
for f in target/bench/hostile/*.apk; do
  set +e
  /usr/bin/time -f '%e %U %S %M' -o target/bench/hostile/time.txt \
    prlimit --as=1073741824 --cpu=10 -- "$BIN" vet "$f" --format json --as-of 2026-11-25 \
    >/dev/null 2>target/bench/hostile/stderr.txt
  code=$?
  set -e
  read -r wall user sys peak < <(tail -1 target/bench/hostile/time.txt) || true
  printf '%-20s %10d %8.2f %8.2f %9d %5s\n' "$(basename "$f")" "$(stat -c %s "$f")" "$wall" \
    "$(echo "$user + $sys" | bc)" "$((peak / 1024))" "$code"
done
echo "== the same files uploaded to ictguard serve"
db=target/bench/hostile/serve.db
rm -f "$db"
key=$("$BIN" keys create --role screen --database "$db")
coproc SERVER { exec "$BIN" serve --listen 127.0.0.1:0 --database "$db"; }
read -r line <&"${SERVER[0]}"
url=${line#listening on }
for f in target/bench/hostile/*.apk; do
  start=$(date +%s.%N)
  answer=$(curl -s -o target/bench/hostile/answer.json -w '%{http_code}' \
    -H "Authorization: Bearer $key" --data-binary @"$f" "$url/v1/vet?as_of=2026-11-25")
  end=$(date +%s.%N)
  printf '%-20s %s %6.2f s  %s\n' "$(basename "$f")" "$answer" "$(echo "$end - $start" | bc)" \
    "$(python3 -c "import json,sys; a=json.load(open('target/bench/hostile/answer.json')); print(a['error']['message'][:110] if 'error' in a else a['risk']+' '+a['recommendation'])")"
done
kill "$SERVER_PID"
