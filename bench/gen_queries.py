#!/usr/bin/env python3
"""Seeded synthetic screening batch: a mix of covered names (with noise), restricted-party list names
(with noise) and made-up company and person names, as CSV with the `ictguard screen` header.

usage: gen_queries.py N OUT.csv [--seed S] [--lists DIR]
"""
import argparse, csv, json, random, subprocess, sys, os

WORDS = ("global trade tech digital smart media pacific union golden river star mountain ocean "
         "green blue north east west south link net cloud data info systems solutions logistics "
         "energy capital partners food textile steel machinery electronics software mobile").split()
FORMS = ["Co., Ltd.", "Inc.", "LLC", "Ltd", "GmbH", "S.A.", "Holdings", "Group", "Corporation", "有限公司", ""]
FIRST = "john mary wei li ivan olga ahmed fatima carlos ana kenji yuki".split()
LAST = "smith wang zhang petrov ivanova hassan garcia silva tanaka kim".split()


def noisy(rng, s):
    if len(s) < 5 or rng.random() < 0.5:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    if op < 0.33:
        return s[:i] + s[i + 1:]
    if op < 0.66:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + rng.choice("aeiou") + s[i:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=13971)
    ap.add_argument("--lists", default=os.path.join(os.path.dirname(__file__), "../../shared/lists"))
    ap.add_argument("--ictguard", default="target/release/ictguard")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    pack = json.loads(subprocess.check_output([a.ictguard, "rules", "list", "--json"]))
    covered = [n for item in pack["apps"] + pack["entities"] for n in [item["name"], *item.get("aliases", [])]]
    packages = [p for app in pack["apps"] for p in app.get("android", [])]
    sdn = []
    with open(os.path.join(a.lists, "sdn_2024-05-03.csv"), newline="", encoding="utf-8", errors="replace") as f:
        for row in csv.reader(f):
            if len(row) > 1:
                sdn.append(row[1])
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "package", "country", "kind", "as_of"])
        for i in range(a.n):
            r = rng.random()
            package = ""
            if r < 0.02:
                name = noisy(rng, rng.choice(covered))
            elif r < 0.03:
                name, package = "", rng.choice(packages)
            elif r < 0.25:
                name = noisy(rng, rng.choice(sdn))
            elif r < 0.45:
                name = f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}"
            else:
                k = rng.randint(1, 3)
                name = " ".join(rng.choice(WORDS).title() for _ in range(k)) + " " + rng.choice(FORMS)
            w.writerow([f"Q{i}", name.strip(), package, rng.choice(["CN", "US", "SG", "", "RU"]), "", "2021-03-01"])


if __name__ == "__main__":
    sys.exit(main())
