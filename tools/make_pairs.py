#!/usr/bin/env python3
"""Build eval/pairs.jsonl: labelled name pairs from the published lists, not from ictguard.

Positives are names the lists themselves say belong to one party: an OFAC 2021 SDN record's primary
name against each of its "aka" alternate names (f.k.a. and n.k.a. names are former or new names,
other names by definition, and are left out), and a UN consolidated-list entry's Latin name against
its name in the original script and its aliases of good quality. Negatives are two different
records' primary names that share a word of four letters or more (a rare word is chosen first, so
they are hard), or two individuals with the same family name.

Positives whose names share almost no spelling (category "other_name": noms de guerre,
translations, unrelated aliases) are kept but reported apart, since no name matcher can link them.
Each pair gets a category from the strings alone (rules below, which know nothing of the matcher)
and a split, "dev" or "test", from a hash of the pair: decided once here; the test half is measured,
never tuned on. Run from the repository root:

    python3 tools/make_pairs.py ../shared/lists eval/pairs.jsonl
"""
import csv
import hashlib
import json
import random
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict

LEGAL = {
    "co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "plc",
    "gmbh", "ag", "sa", "srl", "spa", "bv", "nv", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "oao", "zao",
    "pao", "ao", "llp", "lp", "sarl", "holding", "holdings", "group", "joint", "stock", "public",
    "closed", "open", "liability", "de", "cv", "sas", "fze", "fzco", "fzc", "pte", "pvt", "bhd",
    "sdn", "tbk", "pt",
}
COMMON = LEGAL | {
    "the", "of", "and", "for", "al", "el", "bin", "ibn", "abu", "trading", "international",
    "general", "industrial", "industries", "bank", "company", "shipping", "group", "national",
    "enterprise", "enterprises", "import", "export", "services", "investment", "development",
    "commercial", "technology", "airlines", "petroleum", "oil", "gas",
}


def words(name):
    """Lowercase ASCII words of a name (accents dropped)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", folded.lower())


def trigrams(name):
    s = " ".join(words(name))
    return {s[i:i + 3] for i in range(len(s) - 2)}


def category(query, cand, positive):
    """What kind of variation a pair shows, by the first rule that fits."""
    if not positive:
        return "negative"
    if any(ord(c) > 0x24F and unicodedata.category(c).startswith("L") for c in query + cand):
        return "cross_script"
    qw, cw = words(query), words(cand)
    if qw == cw:
        return "verbatim"
    if sorted(qw) == sorted(cw):
        return "word_order"
    qs, cs = [w for w in qw if w not in LEGAL], [w for w in cw if w not in LEGAL]
    if qs == cs or sorted(qs) == sorted(cs):
        return "legal_form"
    if any(c.isdigit() for c in query + cand):
        return "numbers"
    if set(qs) < set(cs) or set(cs) < set(qs):
        return "extra_tokens"
    if min(len(qs), len(cs)) > 0 and (
        all(len(w) == 1 for w in qs) or all(len(w) == 1 for w in cs)
        or len(query.replace(" ", "")) <= 6 or len(cand.replace(" ", "")) <= 6
    ):
        return "initials"
    t1, t2 = trigrams(query), trigrams(cand)
    jaccard = len(t1 & t2) / max(1, len(t1 | t2))
    if jaccard >= 0.6:
        return "typos"
    if jaccard >= 0.25:
        return "transliteration"
    # names that share (almost) no spelling: a nom de guerre, a translation, another name the
    # party uses; no name matcher can link them, so they are reported apart
    return "other_name"


def split_of(query, cand):
    return "test" if hashlib.sha256(f"{query}\x00{cand}".encode()).digest()[0] & 1 else "dev"


def ofac(lists):
    prim = {}
    with open(f"{lists}/ofac2021_sdn.csv", encoding="latin-1", newline="") as f:
        for r in csv.reader(f):
            if len(r) >= 3 and r[0].strip().isdigit():
                prim[r[0].strip()] = (r[1].strip(), r[2].strip().lower())
    pos = []
    with open(f"{lists}/ofac2021_alt.csv", encoding="latin-1", newline="") as f:
        for r in csv.reader(f):
            if len(r) >= 4 and r[2].strip().lower() == "aka" and r[0].strip() in prim:
                pos.append((r[3].strip(), prim[r[0].strip()][0], "OFAC-SDN-2021 aka"))
    return prim, pos


def un(lists):
    root = ET.parse(f"{lists}/un_consolidated_watchman-testdata.xml").getroot()
    pos = []
    for kind in ("INDIVIDUAL", "ENTITY"):
        for e in root.iter(kind):
            parts = [(e.findtext(t) or "").strip() for t in
                     ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            latin = " ".join(p for p in parts if p)
            if not latin:
                continue
            orig = (e.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
            if orig:
                pos.append((orig, latin, "UN original script"))
            for a in e.iter(f"{kind}_ALIAS"):
                name = (a.findtext("ALIAS_NAME") or "").strip()
                if name and (a.findtext("QUALITY") or "").strip().lower() == "good":
                    pos.append((name, latin, "UN alias (good)"))
    return pos


def negatives(prim, n, rng):
    """Different records' primary names sharing an uncommon word, rarest words first."""
    by_word = defaultdict(list)
    for num, (name, kind) in prim.items():
        for w in set(words(name)):
            if len(w) >= 4 and w not in COMMON:
                by_word[w].append(num)
    out, seen = [], set()
    pool = [w for w, nums in by_word.items() if len(nums) >= 2]
    rng.shuffle(pool)
    pool.sort(key=lambda w: len(by_word[w]))
    for w in pool:
        nums = by_word[w][:]
        rng.shuffle(nums)
        a, b = nums[0], nums[1]
        key = tuple(sorted((a, b)))
        if key in seen:
            continue
        seen.add(key)
        out.append((prim[a][0], prim[b][0], f"OFAC-SDN-2021 different records sharing '{w}'"))
        if len(out) >= n:
            break
    return out


def main():
    lists, out_path = sys.argv[1], sys.argv[2]
    rng = random.Random(20261206)
    prim, pos = ofac(lists)
    pos += un(lists)
    pos = [p for p in pos if words(p[0]) or any(ord(c) > 127 for c in p[0])]
    pos = list(dict.fromkeys(pos))
    rng.shuffle(pos)
    pos = pos[:1500]
    neg = negatives(prim, 1500, rng)
    rows = []
    for (q, c, src), label in [(p, True) for p in pos] + [(x, False) for x in neg]:
        rows.append({"query": q, "candidate": c, "label": label,
                     "category": category(q, c, label), "split": split_of(q, c), "source": src})
    rows.sort(key=lambda r: (r["split"], r["category"], r["query"], r["candidate"]))
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("# Labelled name pairs built by tools/make_pairs.py from the published lists "
                "(OFAC SDN 2021 with alternate names, UN consolidated list 2026-02-27); "
                "US government and UN works. Not tuned on: see docs/matching.md.\n")
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    cats = defaultdict(int)
    for r in rows:
        cats[(r["category"], r["split"])] += 1
    print(len(rows), "pairs;", dict(sorted(cats.items())))


if __name__ == "__main__":
    main()
