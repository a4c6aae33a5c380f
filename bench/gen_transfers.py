#!/usr/bin/env python3
"""A seeded, synthetic year of data transfers for a mid-size US firm, in the column layout
`ictguard flows` reads (date order). Most transfers go to US and allied vendors; some to
counterparties in countries of concern, some to foreign companies owned by covered persons (named
as `parent`), a few with government-related data, exemptions and bad rows when asked.

    python3 bench/gen_transfers.py ROWS [--seed N] [--start 2025-04-08] [--bad-rows K] > transfers.csv
"""
import argparse, csv, datetime, random, sys

ALLIED = [("Northwind Cloud LLC", "US", None), ("Atlas Payroll Inc.", "US", None),
          ("Contoso Analytics Ltd.", "GB", None), ("Berlin Hosting GmbH", "DE", None),
          ("Maple Data Services Inc.", "CA", None), ("Sakura Marketing KK", "JP", None),
          ("Lion City Analytics Pte. Ltd.", "SG", None), ("Tel Aviv Insights Ltd.", "IL", None),
          ("Sydney Health Records Pty Ltd", "AU", None), ("Nordic Biobank AB", "SE", None)]
CONCERN = [("Shenzhen Data Co.", "CN", None), ("Hangzhou Cloud Services Ltd.", "CN", None),
           ("Kowloon Marketing Ltd.", "HK", None), ("Moscow Adtech LLC", "RU", None),
           ("Caracas Telecom Data CA", "VE", None), ("Tehran Analytics Co.", "IR", None),
           ("Macau Gaming Data Ltd.", "MO", None)]
OWNED = [("Pacific Rim Data Pte. Ltd.", "SG", "Tencent Holdings Ltd."),
         ("Eurasia Payments B.V.", "NL", "Ant Group Co., Ltd."),
         ("Global Short Video Analytics Ltd.", "GB", "ByteDance Ltd.")]
KINDS = ["vendor"] * 55 + ["data_brokerage"] * 15 + ["employment"] * 10 + ["investment"] * 5 + ["other"] * 15
CATEGORY_MIX = [["personal_identifiers"], ["financial"], ["health"], ["precise_geolocation"],
                ["biometric"], ["personal_identifiers", "financial"], ["health", "biometric"],
                ["genomic"], ["other_omic"], ["precise_geolocation", "personal_identifiers"]]
EXEMPTIONS = ["financial_services", "intra_group", "telecommunications", "clinical_investigation"]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", type=int)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", default="2025-04-08")
    ap.add_argument("--bad-rows", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    start = datetime.date.fromisoformat(a.start)
    # many small vendors too, so that counterparties number in the hundreds
    allied = ALLIED + [(f"Vendor {i:03d} Inc.", rng.choice(["US", "US", "US", "GB", "DE", "FR", "IN", "SG"]), None) for i in range(300)]
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["date", "counterparty", "counterparty_country", "parent", "kind", "categories",
                "us_persons", "government_related", "exemption"])
    bad_at = set(rng.sample(range(a.rows), min(a.bad_rows, a.rows)))
    for i in range(a.rows):
        day = start + datetime.timedelta(days=int(365 * i / max(a.rows, 1)))
        r = rng.random()
        name, cc, parent = rng.choice(CONCERN if r < 0.04 else OWNED if r < 0.06 else allied)
        cats = rng.choice(CATEGORY_MIX)
        n = max(1, int(rng.lognormvariate(4.0, 1.6)))
        gov = rng.random() < 0.003
        ex = rng.choice(EXEMPTIONS) if rng.random() < 0.02 else ""
        row = [day.isoformat(), name, cc, parent or "", rng.choice(KINDS), ";".join(cats), n,
               "true" if gov else "false", ex]
        if i in bad_at:
            fault = rng.choice(["category", "count", "date"])
            if fault == "category":
                row[5] = "dna_sequences"
            elif fault == "count":
                row[6] = -abs(n)
            else:
                row[0] = "2025-02-30"
        w.writerow(row)

if __name__ == "__main__":
    main()
