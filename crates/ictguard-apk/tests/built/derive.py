#!/usr/bin/env python3
# Derive crafted test APKs from the ones build.sh made in apk/ (which are read, never changed), write
# them to derived/, then record what the peer tools say of each in derived.jsonl (apksigner verify -v
# --print-certs, aapt dump badging). tests/verdicts.rs (this crate) and ictguard-vet's
# tests/verdicts.rs pin ictguard's verdicts against those answers.
#
#   apt-get install aapt zipalign apksigner android-framework-res libsmali-java default-jre-headless
#   python3 crates/ictguard-apk/tests/built/derive.py
#
# Recorded with: apksigner 0.9 (Debian apksigner 31.0.2-1, on OpenJDK 17.0.15), aapt v0.2-debian
# (Debian 1:10.0.0+r36-10, Android 10's aapt and libziparchive), zipalign 1:10.0.0+r36-1, smali
# 2.5.2 (libsmali-java 2.5.2.git2771eae-4), android-framework-res 1:10.0.0+r36-10, Python 3.11.
#
# The files (what each is for is in its `what` field of derived.jsonl too):
#   appended-block.apk  clean.apk (v2+v3, signer C=US) with tencent.apk's v2 block appended as a
#                       second id-value pair of the APK Signing Block. Android and apksig read the
#                       first pair of each scheme id only; the content digests stay valid because the
#                       end record's directory offset is replaced by the block's offset when digesting.
#   tampered-v1.apk     v1only.apk (JAR signing only, minSdk 3) with one string of the stored
#                       resources.arsc changed (CRCs fixed, so the ZIP is valid): its manifest digest
#                       no longer matches.
#   unsigned.apk        v1only.apk without its META-INF signature files.
#   janus.apk           v1only.apk with its own classes.dex in front (CVE-2017-13156), every offset in
#                       the central directory and the end record moved by the prefix's length.
#   degenerate-dsa.apk  v1only.apk re-signed (JAR) by a DSA "key" with no private key: real domain
#                       parameters p, q with g = y = p - 1, and the signature r = s = 1, which holds
#                       for any message whose digest z has z mod q odd (a harmless X-Nonce line of the
#                       .SF is varied until it does). See degenerate_dsa() for the arithmetic.
#   preview-sdk.apk     a new app from src/preview/ whose uses-sdk names a preview platform's codename
#                       (minSdkVersion and targetSdkVersion "VanillaIceCream"), built as build.sh
#                       builds (aapt, smali, zipalign, apksigner v2+v3).
#
# Deterministic: the same inputs give byte-identical outputs. Every derived file is built from bytes
# (no timestamps, stored entries for what is written anew, no randomness: the DSA signature is fixed
# and the nonce is searched from 0). preview-sdk.apk is the exception: it is built only when it is
# missing from derived/, and signed with a key keytool makes in a temporary directory and throws
# away, as build.sh does (no key is kept in the tree); delete it to rebuild it, and its recorded
# answers follow.
import hashlib
import json
import pathlib
import re
import struct
import subprocess
import tempfile
import zlib

HERE = pathlib.Path(__file__).resolve().parent
FRAMEWORK = "/usr/share/android-framework-res/framework-res.apk"
RECORDED_WITH = {"apksigner": "0.9"}

# ---- ZIP: just enough to rewrite an APK exactly ------------------------------------------------

EOCD = struct.Struct("<IHHHHIIH")  # end of central directory record
CDH = struct.Struct("<IHHHHHHIIIHHHHHII")  # central directory header
LFH = struct.Struct("<IHHHHHIIIHH")  # local file header
SIG_MAGIC = b"APK Sig Block 42"


def u32(b, at):
    return struct.unpack_from("<I", b, at)[0]


def u64(b, at):
    return struct.unpack_from("<Q", b, at)[0]


class Zip:
    """An archive's entries as the central directory gives them, each with its local bytes (local
    header, data and anything up to the next entry), and the APK Signing Block if there is one."""

    def __init__(self, data):
        self.data = data
        self.eocd_at = data.rfind(b"PK\x05\x06")
        _, _, _, _, count, self.cd_size, self.cd_offset, _ = EOCD.unpack_from(data, self.eocd_at)
        self.block_start = None
        if data[self.cd_offset - 16 : self.cd_offset] == SIG_MAGIC:
            self.block_start = self.cd_offset - u64(data, self.cd_offset - 24) - 8
        self.entries = []
        pos = self.cd_offset
        for _ in range(count):
            fields = list(CDH.unpack_from(data, pos))
            size = CDH.size + fields[10] + fields[11] + fields[12]
            name = data[pos + CDH.size : pos + CDH.size + fields[10]].decode()
            self.entries.append({"name": name, "fields": fields, "tail": data[pos + CDH.size : pos + size], "at": pos})
            pos += size
        end = self.block_start if self.block_start is not None else self.cd_offset
        starts = sorted(e["fields"][16] for e in self.entries) + [end]
        for e in self.entries:
            lho = e["fields"][16]
            e["local"] = data[lho : starts[starts.index(lho) + 1]]

    def entry(self, name):
        return next(e for e in self.entries if e["name"] == name)

    def content(self, name):
        """The entry's data, inflated."""
        e = self.entry(name)
        local = e["local"]
        start = LFH.size + sum(struct.unpack_from("<HH", local, 26))  # name, extra field
        raw = local[start : start + e["fields"][8]]
        return raw if e["fields"][4] == 0 else zlib.decompress(raw, -15)


def stored(name, content):
    """A new entry, stored (no compression: the same bytes on every zlib), dated 1980-01-01."""
    crc, n, encoded = zlib.crc32(content), len(content), name.encode()
    local = LFH.pack(0x04034B50, 10, 0, 0, 0, 0x21, crc, n, n, len(encoded), 0) + encoded + content
    fields = [0x02014B50, 10, 10, 0, 0, 0, 0x21, crc, n, n, len(encoded), 0, 0, 0, 0, 0, 0]
    return {"name": name, "fields": fields, "tail": encoded, "local": local}


def write_zip(entries):
    """An archive of these entries, in this order, with a fresh directory and end record."""
    body, directory = bytearray(), bytearray()
    for e in entries:
        fields = list(e["fields"])
        fields[16] = len(body)
        body += e["local"]
        directory += CDH.pack(*fields) + e["tail"]
    end = EOCD.pack(0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    return bytes(body + directory + end)


def is_signature_file(name):
    upper = name.upper()
    return upper.startswith("META-INF/") and "/" not in upper[9:] and (
        upper == "META-INF/MANIFEST.MF" or upper.endswith((".SF", ".RSA", ".DSA", ".EC"))
    )


# ---- DER: just enough for a certificate and a PKCS#7 SignedData -------------------------------


def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + length + content


def seq(*parts):
    return tlv(0x30, b"".join(parts))


def der_set(*parts):  # every SET here has one member, so DER's ordering rule holds
    return tlv(0x31, b"".join(parts))


def integer(n):
    return tlv(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big"))


def oid(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.append(0x80 | (arc & 0x7F))
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def name(*rdns):
    strings = {"C": 0x13, "CN": 0x0C, "O": 0x0C}  # PrintableString for the country, else UTF8String
    oids = {"C": "2.5.4.6", "CN": "2.5.4.3", "O": "2.5.4.10"}
    return seq(*(der_set(seq(oid(oids[k]), tlv(strings[k], v.encode()))) for k, v in rdns))


# ---- the derived files --------------------------------------------------------------------------


def appended_block(clean, tencent):
    """clean.apk with tencent.apk's v2 pair appended to its signing block."""
    c, t = Zip(clean), Zip(tencent)
    pairs_end = c.cd_offset - 24
    pos, v2 = t.block_start + 8, None
    while pos < t.cd_offset - 24:
        length = u64(tencent, pos)
        if u32(tencent, pos + 8) == 0x7109871A and v2 is None:
            v2 = tencent[pos : pos + 8 + length]
        pos += 8 + length
    pairs = clean[c.block_start + 8 : pairs_end] + v2
    size = struct.pack("<Q", len(pairs) + 8 + 16)
    out = bytearray(clean[: c.block_start] + size + pairs + size + SIG_MAGIC + clean[c.cd_offset :])
    # the directory moved by the pair's length; nothing before the block did
    struct.pack_into("<I", out, c.eocd_at + len(v2) + 16, c.cd_offset + len(v2))
    return bytes(out)


def tampered(v1only):
    """v1only.apk with the value of string resource "unused" changed in the stored resources.arsc
    (same length; both CRCs updated so the archive stays valid): its SHA1-Digest in MANIFEST.MF no
    longer matches."""
    z = Zip(v1only)
    e = z.entry("resources.arsc")
    assert e["fields"][4] == 0, "resources.arsc is stored"
    old, new = "unused".encode("utf-16-le"), "tamper".encode("utf-16-le")
    content = z.content("resources.arsc")
    changed = content.replace(old, new, 1)
    assert changed != content
    crc = zlib.crc32(changed)
    out = bytearray(v1only)
    lho = e["fields"][16]
    start = lho + LFH.size + sum(struct.unpack_from("<HH", v1only, lho + 26))  # name, extra field
    out[start : start + len(changed)] = changed
    struct.pack_into("<I", out, lho + 14, crc)  # local header's CRC-32
    struct.pack_into("<I", out, e["at"] + 16, crc)  # the directory's
    return bytes(out)


def unsigned(v1only):
    """v1only.apk rewritten without MANIFEST.MF, *.SF and the signature blocks."""
    return write_zip([e for e in Zip(v1only).entries if not is_signature_file(e["name"])])


def janus(v1only):
    """v1only.apk with its own classes.dex in front; every directory offset moved by its length,
    so a reader that trusts the central directory still finds each entry."""
    z = Zip(v1only)
    prefix = z.content("classes.dex")
    out = bytearray(prefix + v1only)
    for e in z.entries:
        struct.pack_into("<I", out, len(prefix) + e["at"] + 42, e["fields"][16] + len(prefix))
    struct.pack_into("<I", out, len(prefix) + z.eocd_at + 16, z.cd_offset + len(prefix))
    return bytes(out), len(prefix)


# DSA domain parameters (L = 1024, N = 160) of apksig's test key dsa-1024.pk8
# (/work/shared/corpus/apk/signing/apksig/, from AOSP's apksig test resources): p and q only.
DSA_P = int(
    "930e9bfc812e58f84865a259fa593fcc6019f2c2b737b560df9e563ef4ca550dd076fa4701ed6ae1a1b5b52fee9ac8a9"
    "a592b4da0058e230f0df6ddc80ea1cb77c3bb5b5e2c26fcf51d2ea1d7d96b73035d7966aaf064e05770f1f6228d623fa"
    "b5ef97b8639b0d60ef7e41983c6c12199f1c4275b280489e8d007739d2db37bf",
    16,
)
DSA_Q = int("879b470dc79d83996e8eab3e80667013b17194cb", 16)


def degenerate_dsa(v1only):
    """v1only.apk re-signed with JAR signing by the DSA key (p, q, g = p - 1, y = p - 1).

    DSA verification of (r, s) over digest z: w = s^-1 mod q, u1 = z·w mod q, u2 = r·w mod q,
    v = (g^u1 · y^u2 mod p) mod q, valid when v = r. With r = s = 1: w = 1, u1 = z mod q, u2 = 1,
    and (p - 1)^k mod p is 1 for even k and p - 1 for odd k, so v = ((p-1)^(z mod q + 1) mod p) mod q
    is 1 = r exactly when z mod q is odd: half of all messages "verify" under this key, and no
    private key exists. A real key has y = g^x of order q (y^q mod p = 1); here y^q mod p = p - 1.

    The .SF is v1only's (the manifest is unchanged, so its digests hold) plus an X-Nonce line, the
    first from 0 up that makes z (SHA-1 of the .SF, as SHA1withDSA takes it: all 160 bits, q being
    160 bits long) odd modulo q. SHA-1 because apksig accepts DSA with SHA-256 in v1 only from API
    21, and this app's minSdkVersion is 3."""
    z = Zip(v1only)
    manifest = z.content("META-INF/MANIFEST.MF")
    old_sf = next(z.content(e["name"]) for e in z.entries if e["name"].upper().endswith(".SF"))
    main, rest = old_sf.split(b"\r\n\r\n", 1)
    nonce = 0
    while True:
        sf = main + b"\r\nX-Nonce: %d\r\n\r\n" % nonce + rest
        digest = int.from_bytes(hashlib.sha1(sf).digest(), "big")
        if (digest % DSA_Q) % 2 == 1:
            break
        nonce += 1
    p, q, g, y = DSA_P, DSA_Q, DSA_P - 1, DSA_P - 1
    u1 = digest % q
    assert (pow(g, u1, p) * pow(y, 1, p)) % p % q == 1, "r = s = 1 verifies"
    assert pow(y, q, p) != 1, "y is not in the subgroup of order q"

    subject = name(("C", "US"), ("O", "ictguard tests"), ("CN", "Degenerate DSA"))
    serial = integer(0x1C7A5D)
    dsa = oid("1.2.840.10040.4.1")
    spki = seq(seq(dsa, seq(integer(p), integer(q), integer(g))), tlv(0x03, b"\x00" + integer(y)))
    # the certificate's own signature is never checked by Android or apksig; it is the same
    # degenerate (1, 1) under dsa-with-sha256
    cert_sig_alg = seq(oid("2.16.840.1.101.3.4.3.2"))
    validity = seq(tlv(0x17, b"250101000000Z"), tlv(0x17, b"491231235959Z"))
    tbs = seq(tlv(0xA0, integer(2)), serial, cert_sig_alg, subject, validity, subject, spki)
    signature = seq(integer(1), integer(1))
    cert = seq(tbs, cert_sig_alg, tlv(0x03, b"\x00" + signature))
    sha1 = seq(oid("1.3.14.3.2.26"), b"\x05\x00")
    signer_info = seq(
        integer(1),
        seq(subject, serial),  # issuerAndSerialNumber (self-issued)
        sha1,
        seq(dsa),  # no signed attributes: the signature covers the .SF itself
        tlv(0x04, signature),
    )
    signed_data = seq(
        integer(1),
        der_set(sha1),
        seq(oid("1.2.840.113549.1.7.1")),
        tlv(0xA0, cert),
        der_set(signer_info),
    )
    block = seq(oid("1.2.840.113549.1.7.2"), tlv(0xA0, signed_data))
    kept = [e for e in z.entries if not is_signature_file(e["name"])]
    new = [
        stored("META-INF/MANIFEST.MF", manifest),
        stored("META-INF/CERT.SF", sf),
        stored("META-INF/CERT.DSA", block),
    ]
    return write_zip(kept + new), nonce


def preview(work):
    """A new app from src/preview/, built as build.sh's build() builds, signed v2+v3."""
    src, out = HERE / "src/preview", work / "preview"
    out.mkdir()
    keystore = work / "preview.jks"
    if not keystore.exists():
        run(["keytool", "-genkeypair", "-keystore", str(keystore), "-storepass", "password",
             "-keypass", "password", "-alias", "preview", "-keyalg", "RSA", "-keysize", "2048",
             "-validity", "10000", "-dname", "CN=Preview Test, O=ictguard tests, C=US"])
    run(["smali", "assemble", "-o", str(out / "classes.dex"), str(src / "smali")])
    # aapt accepts the codename: uses-sdk's minSdkVersion and targetSdkVersion are integer|string
    # attributes, and a string is compiled as written
    run(["aapt", "package", "-f", "-M", str(src / "AndroidManifest.xml"), "-S", str(src / "res"),
         "-I", FRAMEWORK, "-F", str(out / "unsigned.apk")])
    run(["aapt", "add", "unsigned.apk", "classes.dex"], cwd=out)
    run(["zipalign", "-f", "-p", "4", str(out / "unsigned.apk"), str(out / "aligned.apk")])
    # apksigner reads the codename's minimum itself (apksig maps a codename to the API level of the
    # newest release whose codename's first letter precedes it): no --min-sdk-version needed
    run(["apksigner", "sign", "--ks", str(keystore), "--ks-pass", "pass:password",
         "--ks-key-alias", "preview", "--v1-signing-enabled", "false", "--v2-signing-enabled", "true",
         "--v3-signing-enabled", "true", "--v4-signing-enabled", "false",
         "--out", str(out / "signed.apk"), str(out / "aligned.apk")])
    return (out / "signed.apk").read_bytes()


def run(args, cwd=None):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


# ---- the peers' answers -------------------------------------------------------------------------


def apksigner(path, options=()):
    r = subprocess.run(["apksigner", "verify", "-v", "--print-certs", *options, path],
                       capture_output=True, text=True, cwd=HERE)
    text = r.stdout + r.stderr
    scheme = lambda s, label: f"Verified using {s} scheme ({label}): true" in text
    errors = [line for line in text.splitlines() if line.startswith("ERROR")]
    return {
        "apksigner_options": list(options),
        "apksigner_exit": r.returncode,
        "verifies": r.returncode == 0 and re.search(r"^Verifies$", r.stdout, re.M) is not None,
        "schemes": {
            "v1": scheme("v1", "JAR signing"),
            "v2": scheme("v2", "APK Signature Scheme v2"),
            "v3": scheme("v3", "APK Signature Scheme v3"),
        },
        "signer_sha256": re.findall(r"^Signer #\d+ certificate SHA-256 digest: ([0-9a-f]+)$", text, re.M),
        "signer_dn": re.findall(r"^Signer #\d+ certificate DN: (.*)$", text, re.M),
        "error": errors[0] if errors else None,
        "warnings": [line for line in text.splitlines() if line.startswith("WARNING")],
    }


def aapt(path):
    r = subprocess.run(["aapt", "dump", "badging", path], capture_output=True, text=True, cwd=HERE)
    field = lambda pattern: (re.search(pattern, r.stdout, re.M) or [None, None])[1]
    # libziparchive logs as "ziparchive W 12-04 18:12:41 pid tid message": the message alone
    log_prefix = r"^\S+ [VDIWEF] \d\d-\d\d [\d:.]+ +\d+ +\d+ "
    problems = [re.sub(log_prefix, "", line) for line in r.stderr.splitlines() if line.strip()]
    return {
        "aapt_exit": r.returncode,
        "aapt_error": problems[0] if r.returncode != 0 and problems else None,
        "min_sdk": field(r"^sdkVersion:'(.*)'$"),
        "target_sdk": field(r"^targetSdkVersion:'(.*)'$"),
        "aapt_permissions": sorted(set(re.findall(r"^uses-permission: name='([^']*)'", r.stdout, re.M))),
        "aapt_implied_permissions": sorted(set(re.findall(r"^uses-implied-permission: name='([^']*)'", r.stdout, re.M))),
    }


def main():
    version = subprocess.run(["apksigner", "--version"], capture_output=True, text=True).stdout.strip()
    if version != RECORDED_WITH["apksigner"]:
        print(f"note: apksigner {version}, not the {RECORDED_WITH['apksigner']} derived.jsonl was recorded with")
    built = lambda n: (HERE / "apk" / n).read_bytes()
    clean, tencent, v1only = built("clean.apk"), built("tencent.apk"), built("v1only.apk")
    janus_apk, prefix = janus(v1only)
    dsa_apk, nonce = degenerate_dsa(v1only)
    kept = HERE / "derived" / "preview-sdk.apk"
    if kept.exists():
        preview_apk = kept.read_bytes()
    else:
        with tempfile.TemporaryDirectory() as work:
            preview_apk = preview(pathlib.Path(work))
    files = [
        ("appended-block.apk", appended_block(clean, tencent), ["clean.apk", "tencent.apk"],
         "clean.apk with tencent.apk's APK Signature Scheme v2 pair appended to its APK Signing Block "
         "(a second v2 block, which Android never reads)", {}),
        ("tampered-v1.apk", tampered(v1only), ["v1only.apk"],
         "v1only.apk (JAR signing only) with a string in resources.arsc changed after signing", {"entry": "resources.arsc"}),
        ("unsigned.apk", unsigned(v1only), ["v1only.apk"],
         "v1only.apk without its META-INF signature files", {}),
        ("janus.apk", janus_apk, ["v1only.apk"],
         "v1only.apk (JAR signing only, minSdk 3) with a DEX file in front of its first entry "
         "(the Janus shape, CVE-2017-13156)", {"leading_bytes": prefix, "prefix": "v1only.apk's classes.dex"}),
        ("degenerate-dsa.apk", dsa_apk, ["v1only.apk"],
         "v1only.apk JAR-signed by a degenerate DSA key (g = y = p - 1) with the signature r = s = 1, "
         "which holds for half of all messages and needs no private key",
         {"digest": "SHA-1", "nonce": nonce}),
        ("preview-sdk.apk", preview_apk, [],
         "a new app (src/preview/) whose minSdkVersion and targetSdkVersion are the codename "
         "VanillaIceCream, signed v2+v3", {}),
    ]
    out = HERE / "derived"
    out.mkdir(exist_ok=True)
    rows = []
    for file, data, sources, what, made in files:
        (out / file).write_bytes(data)
        path = f"derived/{file}"
        rows.append({"file": file, "what": what, "from": sources, "made": made,
                     **apksigner(path), **aapt(path)})
    with open(HERE / "derived.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(rows)} APKs derived; peers' answers in derived.jsonl")


if __name__ == "__main__":
    main()
