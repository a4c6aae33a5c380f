#!/usr/bin/env bash
# APK benchmark: ictguard against its peers on the same APK files, in one run.
#
#   (a) manifest summary       ictguard apk info --no-verify     vs  aapt dump badging      (target >= 2x)
#   (b) signature verification ictguard apk info --json          vs  apksigner verify       (target >= 10x)
#   (c) whole reading          ictguard apk info --code          vs  Androguard AnalyzeAPK  (target >= 50x)
#                              (and vs Androguard APK() alone), on an evenly spread subset
#   (d) peak memory            ictguard apk info / classes RSS on the APKs over 10 MB      (target < 2x size)
#
# Every measurement spawns one process per APK, sequentially, and sums the wall clock over the
# set (bench/apk_peers.py does the timing and prints the tables).
#
# usage: bench/apk.sh
# env:   N=50        use at most 50 APKs (spread evenly over the set; default: all aapt can read)
#        AG_N=30     Androguard subset size (default 30; 0 = the whole set)
#        CORPUS=DIR  the APK corpus (default ../shared/corpus/apk, with ORACLE.jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-0}
AG_N=${AG_N:-30}
CORPUS=${CORPUS:-../shared/corpus/apk}
ANDROGUARD_VERSION=4.1.4 # pinned: the peer version these numbers are for

# 1. Peers: aapt, apksigner and GNU time from Debian, Androguard from PyPI (only if missing).
need_apt=()
command -v aapt >/dev/null || need_apt+=(aapt)
command -v apksigner >/dev/null || need_apt+=(apksigner)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! python3 -c "import androguard, sys; sys.exit(androguard.__version__ != '$ANDROGUARD_VERSION')" 2>/dev/null; then
  echo "== installing androguard==$ANDROGUARD_VERSION"
  python3 -m pip install -q "androguard==$ANDROGUARD_VERSION"
fi
python3 -c "from androguard.misc import AnalyzeAPK; from androguard.core.apk import APK" # must import

# 2. ictguard, release build.
cargo build --release -q
BIN=target/release/ictguard

# 3-5. Pick the set, time every task, print the tables.
python3 bench/apk_peers.py run --ictguard "$BIN" --corpus "$CORPUS" --n "$N" --ag-n "$AG_N"
