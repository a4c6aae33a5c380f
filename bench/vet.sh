#!/usr/bin/env bash
# Vet benchmark: `ictguard vet` against Exodus-style tracker detection and Androguard, in one run,
# on the same files: the APK corpus (ORACLE.jsonl rows with aapt_ok) and a large built APK.
#
#   (a) corpus, one process per APK   ictguard vet FILE --format json   vs  Exodus-style pipeline,
#                                     RUNS alternating passes of each; each APK's median counts
#                                     (unzip classes*.dex, dexdump | perl | sort | uniq, the Exodus
#                                     tracker regexes; bench/vet_peers.py exodus FILE)  (target >= 20x)
#   (b) corpus, one process           ictguard vet DIR (whole corpus folder; and the same set)
#   (c) Androguard AnalyzeAPK         on an evenly spread subset, one process per APK
#   (e) corpus through the server    every APK uploaded to `ictguard serve` (POST /v1/vet: a worker
#                                     process per vetting, each report audited) by one client per core
#   (d) the large APK (~100 MB, 40,000 classes; bench/make_large_apk.sh, kept in target/bench/)
#                                     ictguard vet wall and peak RSS (GNU time; targets < 2 s and
#                                     < 1 GB on 2 cores), the Exodus-style pipeline, AnalyzeAPK
#
# and which Exodus trackers ictguard and the Exodus-style pipeline each found.
#
# usage: bench/vet.sh
# env:   N=50          use at most 50 corpus APKs (spread evenly; default: all with aapt_ok)
#        AG_N=30       Androguard subset size (default 30; 0 = the whole set)
#        AG_TIMEOUT=600  seconds per Androguard run (the large APK too)
#        AG_LARGE=0    skip Androguard on the large APK
#        REPEAT=5      ictguard runs on the large APK (median wall, max RSS)
#        RUNS=3        passes of each tool over the corpus, alternating (each APK's median counts)
#        CORPUS=DIR    the APK corpus (default ../shared/corpus/apk, with ORACLE.jsonl)
#        LARGE=FILE    the large APK (default target/bench/large.apk; built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-0}
AG_N=${AG_N:-30}
AG_TIMEOUT=${AG_TIMEOUT:-600}
AG_LARGE=${AG_LARGE:-1}
REPEAT=${REPEAT:-5}
RUNS=${RUNS:-3}
CORPUS=${CORPUS:-../shared/corpus/apk}
LARGE=${LARGE:-target/bench/large.apk}
ANDROGUARD_VERSION=4.1.4 # pinned: the peer version these numbers are for

# 1. Peers: dexdump, perl and GNU time from Debian, Androguard from PyPI (only if missing).
need_apt=()
command -v dexdump >/dev/null || need_apt+=(dexdump)
command -v perl >/dev/null || need_apt+=(perl)
command -v timeout >/dev/null || need_apt+=(coreutils)
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
python3 -c "from androguard.misc import AnalyzeAPK" # must import

# 2. ictguard, release build; the large APK (cached: FORCE=1 bench/make_large_apk.sh rebuilds).
cargo build --release -q
BIN=target/release/ictguard
bench/make_large_apk.sh "$LARGE"

# 3. Time every task, print the tables (outputs kept in target/bench/vet/).
ag_large=()
[ "$AG_LARGE" = 1 ] || ag_large=(--no-ag-large)
python3 bench/vet_peers.py run --ictguard "$BIN" --corpus "$CORPUS" --large "$LARGE" \
  --outdir target/bench/vet --n "$N" --ag-n "$AG_N" --ag-timeout "$AG_TIMEOUT" \
  --repeat "$REPEAT" --corpus-runs "$RUNS" "${ag_large[@]}"
