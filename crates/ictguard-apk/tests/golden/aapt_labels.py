#!/usr/bin/env python3
"""Regenerate aapt_labels.jsonl: the application label and versionName that Debian's
`aapt dump badging` prints (it resolves @string references through resources.arsc) for every corpus
APK whose manifest gives them as resource references. Run from crates/ictguard-apk:
python3 tests/golden/aapt_labels.py (needs aapt and a release build of ictguard).
The test `references_resolve_as_aapt_does` compares ictguard's values with this file."""
import json, pathlib, re, subprocess

corpus = pathlib.Path("../../../shared/corpus/apk")
ictguard = "../../target/release/ictguard"
rows = []
for line in open(corpus / "ORACLE.jsonl"):
    rec = json.loads(line)
    if not rec.get("aapt_ok"):
        continue
    path = corpus / rec["file"]
    xml = subprocess.run([ictguard, "apk", "manifest", str(path)], capture_output=True, text=True).stdout
    label_ref = re.search(r'<application[^>]*android:label="@0x', xml) is not None
    version_ref = re.search(r'android:versionName="@0x', xml) is not None
    if not (label_ref or version_ref):
        continue
    out = subprocess.run(["aapt", "dump", "badging", str(path)], capture_output=True, text=True).stdout
    m = re.search(r"^application-label:'(.*)'$", out, re.M)
    v = re.search(r"versionName='([^']*)'", out)
    row = {"file": rec["file"]}
    if label_ref:
        row["label"] = m.group(1) if m else None
    if version_ref:
        row["version_name"] = v.group(1) if v else None
    rows.append(row)
with open(pathlib.Path(__file__).with_name("aapt_labels.jsonl"), "w") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
print(len(rows), "APKs with references")
