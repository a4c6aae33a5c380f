#!/usr/bin/env python3
"""The peer for the screening benchmark: Python rapidfuzz doing the same matching job over the same
names (rule-pack names and aliases, OFAC SDN primary and alternate names, Consolidated Screening List
names), with the same normalisation ideas (anyascii, pinyin for Han, lower case, punctuation and legal
forms stripped) and token_set_ratio. Prints single-query latency percentiles and batch throughput as
JSON, for bench/screen.sh to set beside ictguard's figures.

usage: peer_rapidfuzz.py QUERIES.csv --pack PACK.json --lists DIR [--single N] [--batch N] [--workers W]
"""
import argparse, csv, json, os, re, time

from anyascii import anyascii
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

LEGAL = set("co company ltd limited inc incorporated corp corporation llc plc lp llp pte pvt gmbh ag sa sas srl spa bv nv holding holdings group com youxian gongsi jituan konggu gufen".split())
HAN = re.compile(r"[\u4e00-\u9fff]+")


def normalize(s):
    s = HAN.sub(lambda m: " " + "".join(lazy_pinyin(m.group(0))) + " ", s)
    s = anyascii(s).lower()
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(t for t in s.split() if t not in LEGAL)


def load_names(pack_json, lists):
    pack = json.load(open(pack_json, encoding="utf-8"))
    names = [n for item in pack["apps"] + pack["entities"] for n in [item["name"], *item.get("aliases", [])]]
    for fname, col in [("ofac2021_sdn.csv", 1), ("ofac2021_alt.csv", 3), ("sdn_2024-05-03.csv", 1)]:
        with open(os.path.join(lists, fname), newline="", encoding="utf-8", errors="replace") as f:
            names += [row[col] for row in csv.reader(f) if len(row) > col]
    with open(os.path.join(lists, "csl_2019.csv"), newline="", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            names.append(row["name"])
            names += [a for a in (row.get("alt_names") or "").split("; ") if a]
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("queries")
    ap.add_argument("--pack", required=True)
    ap.add_argument("--lists", required=True)
    ap.add_argument("--single", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cutoff", type=float, default=78)
    a = ap.parse_args()
    t0 = time.perf_counter()
    choices = [normalize(n) for n in load_names(a.pack, a.lists)]
    build = time.perf_counter() - t0
    with open(a.queries, newline="", encoding="utf-8") as f:
        queries = [normalize(r["name"]) for r in csv.DictReader(f) if r["name"]]
    lat = []
    for q in queries[: a.single]:
        t = time.perf_counter()
        process.extractOne(q, choices, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=a.cutoff)
        lat.append(time.perf_counter() - t)
    lat.sort()
    batch = queries[: a.batch]
    t = time.perf_counter()
    process.cdist(batch, choices, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=a.cutoff, workers=a.workers, dtype="uint8")
    dt = time.perf_counter() - t
    print(json.dumps({
        "peer": "rapidfuzz " + __import__("rapidfuzz").__version__ + " token_set_ratio",
        "names": len(choices),
        "build_s": round(build, 3),
        "single_p50_ms": round(lat[len(lat) // 2] * 1e3, 3),
        "single_p99_ms": round(lat[int(len(lat) * 0.99) - 1] * 1e3, 3),
        "batch_records_per_s": round(len(batch) / dt, 1),
        "batch_workers": a.workers,
    }))


if __name__ == "__main__":
    main()
