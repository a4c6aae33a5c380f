#!/usr/bin/env python3
"""Compare two ictguard binaries' vetting throughput in one interleaved run.

  bench/compare_vet.py OLD_BINARY NEW_BINARY [--corpus DIR] [--runs 3]

On the corpus APKs that aapt reads (ORACLE.jsonl), alternating the binaries run by run: one
`vet DIR` process over links to the set; a process per APK over the set (the sum of each APK's
median); and the set uploaded to `ictguard serve` by one client per core (vet_peers.py's
serve_throughput). Each figure is the median of --runs runs. Used to measure a change on one
machine, where consecutive minutes differ by more than many changes do.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from vet_peers import serve_throughput  # noqa: E402


def corpus_set(corpus):
    import json

    files = []
    with open(os.path.join(corpus, "ORACLE.jsonl")) as fh:
        for line in fh:
            row = json.loads(line)
            f = os.path.join(corpus, row["file"])
            if row.get("aapt_ok") is True and os.path.isfile(f):
                files.append(f)
    return files


def timed(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "shared", "corpus", "apk"))
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    files = corpus_set(os.path.abspath(a.corpus))
    bins = {"old": os.path.abspath(a.old), "new": os.path.abspath(a.new)}
    work = tempfile.mkdtemp(prefix="compare_vet.")
    links = os.path.join(work, "set")
    os.makedirs(links)
    for i, f in enumerate(files):
        os.symlink(f, os.path.join(links, f"{i:04d}.apk"))
    res = {k: {"dir": [], "per_apk": [], "serve": []} for k in bins}
    for k in bins:  # warm
        timed([bins[k], "vet", links, "--format", "json", "--exit-zero"])
    for r in range(a.runs):
        for k, b in bins.items():
            res[k]["dir"].append(timed([b, "vet", links, "--format", "json", "--exit-zero"]))
        for k, b in bins.items():
            res[k]["per_apk"].append(sum(
                timed([b, "vet", f, "--format", "json", "--exit-zero"]) for f in files))
        for k, b in bins.items():
            out = os.path.join(work, f"serve-{k}-{r}")
            os.makedirs(out)
            s = serve_throughput(b, files, out, clients=os.cpu_count() or 2)
            res[k]["serve"].append(s["wall"])
            if set(s["statuses"]) != {200}:
                print(f"   {k} serve statuses {s['statuses']}")
    n = len(files)
    print(f"{n} APKs, median of {a.runs} interleaved runs; old {a.old}, new {a.new}")
    print(f"{'':24} {'old':>12} {'new':>12} {'new/old':>8}")
    for key, label in (("dir", "vet DIR, APKs/s"), ("per_apk", "a process per APK, ms"),
                       ("serve", "serve, vettings/s")):
        o, w = statistics.median(res["old"][key]), statistics.median(res["new"][key])
        if key == "per_apk":
            o, w = 1000 * o / n, 1000 * w / n
            print(f"{label:24} {o:12.2f} {w:12.2f} {w / o:8.2f}")
        else:
            print(f"{label:24} {n / o:12.1f} {n / w:12.1f} {o / w:8.2f}")


if __name__ == "__main__":
    main()
