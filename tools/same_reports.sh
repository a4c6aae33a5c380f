#!/usr/bin/env bash
# Check that two builds of ictguard write the same bytes: vetting reports on the whole APK corpus
# (JSON Lines, SARIF, HTML, text), the flows report in every format, the fleet check, screening
# batches (with and without the restricted-party lists), single screenings and the rule-pack views.
#
# Used around a restructuring that must not change behaviour (issue 13): build the old binary
# (e.g. `git worktree add /tmp/base <rev> && cargo build --manifest-path /tmp/base/Cargo.toml`),
# then
#
#   tools/same_reports.sh OLD_BINARY NEW_BINARY
#
# Every run uses a fixed --as-of date so that "today" does not enter the output; the batch
# summary's timing ("in 0.02s (815/s)") is left out of the comparison. HTML is compared after
# writing two equivalent spellings one way (maud, which writes the pages since issue 13, writes
# an apostrophe as itself where the hand-written pages wrote `&#39;`, and an empty SVG element as
# `<rect ...></rect>` where they wrote `<rect .../>`); nothing else is normalised. Exit status 0
# when every output and exit status is identical, 1 with the differing commands listed otherwise.
set -uo pipefail
old=${1:?usage: tools/same_reports.sh OLD_BINARY NEW_BINARY}
new=${2:?usage: tools/same_reports.sh OLD_BINARY NEW_BINARY}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}
corpus=$shared/corpus/apk
lists=$shared/lists
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# both run under the name `ictguard`: clap prints the name it was started by in --help
mkdir -p "$work/old" "$work/new"
ln -s "$(realpath "$old")" "$work/old/ictguard"
ln -s "$(realpath "$new")" "$work/new/ictguard"
old=$work/old/ictguard
new=$work/new/ictguard
cd "$root"

# name|arguments (word-split); {OUT} is replaced by a per-run output file
cases=(
  "vet-json|vet $corpus --format json --as-of 2026-06-01 --exit-zero"
  "vet-sarif|vet $corpus --format sarif --as-of 2026-06-01 --exit-zero"
  "vet-html|vet $corpus --format html --as-of 2026-06-01 --exit-zero"
  "vet-text|vet $corpus --format text --as-of 2026-06-01 --exit-zero"
  "vet-2021|vet $corpus --format json --as-of 2021-03-01 --exit-zero"
  "flows-text|flows examples/data-transfers.csv"
  "flows-json|flows examples/data-transfers.csv --format json"
  "flows-csv|flows examples/data-transfers.csv --format csv"
  "flows-html|flows examples/data-transfers.csv --format html"
  "flows-asof|flows examples/data-transfers.csv --format json --as-of 2025-06-01"
  "fleet-text|fleet examples/fleet.csv --as-of 2025-06-01"
  "fleet-json|fleet examples/fleet.csv --as-of 2025-06-01 --json"
  "fleet-header|fleet examples/transactions.csv --as-of 2025-06-01"
  "fleet-missing|fleet examples/no-such-inventory.csv"
  "fleet-vetted|fleet examples/fleet.csv --as-of 2025-06-01 --vetted examples/fleet.csv"
  "flows-header|flows examples/fleet.csv"
  "flows-missing|flows examples/no-such-transfers.csv"
  "screen-csv|screen --input examples/transactions.csv --output-format csv --as-of 2024-06-01"
  "screen-jsonl|screen --input examples/transactions.csv --output-format jsonl"
  "screen-lists|screen --input examples/transactions.csv --output-format jsonl --list $lists/sdn_2024-05-03.csv --list $lists/csl_sample_2023.csv --list $lists/ofac2021_dpl.txt"
  "screen-one|screen --name ByteDance --as-of 2025-02-01"
  "screen-one-json|screen --name Tencent --as-of 2021-03-01 --json"
  "screen-pkg|screen --package com.tencent.mm --kind app_store_distribution --as-of 2020-09-21"
  "screen-list-one|screen --name 'Banco Nacional de Cuba' --as-of 2024-06-01 --list $lists/sdn_2024-05-03.csv --json"
  "rules-list|rules list"
  "rules-status|rules status --as-of 2021-03-01"
  "rules-status-json|rules status --as-of 2025-01-19 --json"
  "rules-show|rules show EO-13971"
  "rules-show-json|rules show PAFACA-2024 --json"
  "apk-info-dir|apk info $corpus"
  "help|--help"
  "help-screen|screen --help"
  "help-vet|vet --help"
  "help-serve|serve --help"
  "help-flows|flows --help"
  "help-fleet|fleet --help"
  "help-apk-info|apk info --help"
  "help-keys|keys create --help"
  "help-audit|audit export --help"
  "help-rules|rules status --help"
)

failed=0
for c in "${cases[@]}"; do
  name=${c%%|*}
  args=${c#*|}
  for side in old new; do
    bin=$old
    [ "$side" = new ] && bin=$new
    eval "set -- $args"
    "$bin" "$@" >"$work/$name.$side.out" 2>"$work/$name.$side.err"
    echo "exit $?" >>"$work/$name.$side.err"
    sed -i -E 's/ in [0-9.]+s \([0-9]+\/s\)/ in (time)/' "$work/$name.$side.err"
    case $name in
      *html*) sed -i -E "s/&#39;/'/g; s#<rect ([^>]*)/>#<rect \\1></rect>#g" "$work/$name.$side.out" ;;
    esac
  done
  if cmp -s "$work/$name.old.out" "$work/$name.new.out" && cmp -s "$work/$name.old.err" "$work/$name.new.err"; then
    echo "same  $name ($(wc -c <"$work/$name.new.out") bytes)"
  else
    echo "DIFF  $name"
    cmp "$work/$name.old.out" "$work/$name.new.out" | head -1
    diff "$work/$name.old.err" "$work/$name.new.err" | head -10 | cut -c1-300
    failed=1
  fi
done
# `apk info` as text, one APK at a time (the directory form above is JSON)
apks=0
while IFS= read -r apk; do
  apks=$((apks + 1))
  "$old" apk info "$apk" >"$work/apk.old" 2>&1; echo "exit $?" >>"$work/apk.old"
  "$new" apk info "$apk" >"$work/apk.new" 2>&1; echo "exit $?" >>"$work/apk.new"
  if ! cmp -s "$work/apk.old" "$work/apk.new"; then
    echo "DIFF  apk info $apk"
    failed=1
  fi
done < <(find "$corpus" -name '*.apk' | sort)
echo "apk info text compared on $apks APKs"
exit $failed
