#!/usr/bin/env bash
# Run every APK-parser fuzz target, the whole vetting pipeline (`vet`), the batch table intake
# (`batch_table`: any encoding and delimiter, every row screened) and workbooks (`workbook`) for
# SECONDS each (default 20) on seeds from ../shared/corpus. CI calls it with a short time; a long run is
# `fuzz/run.sh 600` (or RUNS=10000000 fuzz/run.sh 0 for a number of executions). Each input may use
# at most 1 GB of RSS and 10 s: a resource bug is a crash, as a memory error is. Needs cargo-fuzz;
# on a stable toolchain cargo fuzz runs with RUSTC_BOOTSTRAP=1. Exits non-zero when a target
# crashes.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-20}
TARGETS=${TARGETS:-"apk_zip axml arsc dex signatures vet batch_table workbook"}
RUNS=${RUNS:--1}
export RUSTC_BOOTSTRAP=1
python3 seed.py
for t in $TARGETS; do
  echo "== fuzz $t for ${SECONDS_EACH}s"
  log="artifacts/$t.log"
  mkdir -p artifacts "corpus/$t"
  limit=()
  [ "$SECONDS_EACH" -gt 0 ] && limit=(-max_total_time="$SECONDS_EACH")
  if ! cargo fuzz run "$t" "corpus/$t" -- "${limit[@]}" -runs="$RUNS" -max_len=1048576 \
      -rss_limit_mb=1024 -malloc_limit_mb=1024 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $t failed (a crash, a leak or a build error): see fuzz/$log and fuzz/artifacts/$t"
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" || true
done
