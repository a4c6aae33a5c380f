#!/usr/bin/env python3
"""Regenerate keytool.jsonl: what `keytool -printcert -jarfile` (OpenJDK) says of the v1 signer
certificates of corpus APKs. Run from crates/ictguard-apk: python3 tests/golden/keytool.py.
The test `certificates_agree_with_keytool` compares ictguard's certificate fields with this file."""
import json, pathlib, re, subprocess

corpus = pathlib.Path("../../../shared/corpus/apk")
out = []
for line in open(corpus / "ORACLE.jsonl"):
    rec = json.loads(line)
    if not rec.get("schemes", {}).get("v1"):
        continue
    text = subprocess.run(["keytool", "-printcert", "-jarfile", str(corpus / rec["file"])],
                          capture_output=True, text=True).stdout
    for block in text.split("Certificate #")[1:]:
        def field(pattern):
            m = re.search(pattern, block)
            return m.group(1).strip() if m else None
        sha256 = field(r"SHA256: ([0-9A-F:]+)")
        if not sha256:
            continue
        bits = field(r"Subject Public Key Algorithm: (\d+)-bit")
        out.append({
            "file": rec["file"],
            "sha256": sha256.replace(":", "").lower(),
            "sha1": (field(r"SHA1: ([0-9A-F:]+)") or "").replace(":", "").lower(),
            "owner": field(r"Owner: (.*)"),
            "issuer": field(r"Issuer: (.*)"),
            "serial": field(r"Serial number: ([0-9a-f]+)"),
            "key_bits": int(bits) if bits else None,
            "key": field(r"Subject Public Key Algorithm: \d+-bit (\w+) "),
        })
seen = set()
with open(pathlib.Path(__file__).with_name("keytool.jsonl"), "w") as f:
    for r in out:
        if r["sha256"] in seen:
            continue
        seen.add(r["sha256"])
        f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
print(len(seen), "certificates")
