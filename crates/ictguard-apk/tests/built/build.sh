#!/usr/bin/env bash
# Build the test APKs in apk/ from src/ with Debian's Android tools, then record what the peer
# tools say of them in expected.jsonl (aapt dump badging, apksigner verify --print-certs).
#
#   apt-get install aapt zipalign apksigner android-framework-res libsmali-java default-jre-headless zip
#   crates/ictguard-apk/tests/built/build.sh
#
# The signing keys are made fresh by keytool on each build and thrown away; only the APKs and the
# peers' answers are kept (tests/built.rs reads them).
set -euo pipefail
cd "$(dirname "$0")"
FRAMEWORK=/usr/share/android-framework-res/framework-res.apk
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p apk

keytool -genkeypair -keystore "$work/rsa.jks" -storepass password -keypass password -alias rsa \
  -keyalg RSA -keysize 2048 -validity 10000 -dname "CN=Refs Test, O=ictguard tests, C=US" >/dev/null 2>&1
keytool -genkeypair -keystore "$work/tencent.jks" -storepass password -keypass password -alias tencent \
  -keyalg RSA -keysize 2048 -validity 10000 \
  -dname "CN=Tencent, OU=Test, O=Tencent Technology (Shenzhen) Company Limited, L=Shenzhen, ST=Guangdong, C=CN" >/dev/null 2>&1
keytool -genkeypair -keystore "$work/release.jks" -storepass password -keypass password -alias release \
  -keyalg RSA -keysize 3072 -validity 10000 -dname "CN=Clean Release, O=Example Clean Apps LLC, C=US" >/dev/null 2>&1
keytool -genkeypair -keystore "$work/ec.jks" -storepass password -keypass password -alias ec \
  -keyalg EC -groupname secp256r1 -validity 10000 -dname "CN=Localized Test, O=Beispiel GmbH, C=DE" >/dev/null 2>&1

build() { # name, keystore, alias, apksigner options...
  local name=$1 ks=$2 alias=$3
  shift 3
  local src=src/$name out=$work/$name
  mkdir -p "$out"
  smali assemble -o "$out/classes.dex" "$src/smali"
  local assets=()
  if [ -d "$src/plugin" ]; then # nested code: a JAR with its own classes.dex, and a bare DEX
    mkdir -p "$out/assets" "$out/plugin"
    smali assemble -o "$out/plugin/classes.dex" "$src/plugin"
    (cd "$out/plugin" && zip -q -X ../assets/plugin.jar classes.dex)
    smali assemble -o "$out/assets/payload.dex" "$src/payload"
    assets=(-A "$out/assets")
  fi
  aapt package -f -M "$src/AndroidManifest.xml" -S "$src/res" "${assets[@]}" -I "$FRAMEWORK" -F "$out/unsigned.apk"
  (cd "$out" && aapt add unsigned.apk classes.dex >/dev/null)
  zipalign -f -p 4 "$out/unsigned.apk" "$out/aligned.apk"
  apksigner sign --ks "$work/$ks" --ks-pass pass:password --ks-key-alias "$alias" "$@" \
    --out "apk/$name.apk" "$out/aligned.apk"
  rm -f "apk/$name.apk.idsig"
}

build refs rsa.jks rsa --v1-signing-enabled true --v2-signing-enabled true --v3-signing-enabled true
build localized ec.jks ec --v1-signing-enabled false --v2-signing-enabled true --v3-signing-enabled true
build nested rsa.jks rsa --v1-signing-enabled true --v2-signing-enabled true --v3-signing-enabled false
build covered rsa.jks rsa --v1-signing-enabled false --v2-signing-enabled true --v3-signing-enabled true
build tencent tencent.jks tencent --v1-signing-enabled false --v2-signing-enabled true --v3-signing-enabled true
build clean release.jks release --v1-signing-enabled false --v2-signing-enabled true --v3-signing-enabled true
build v1only rsa.jks rsa --v1-signing-enabled true --v2-signing-enabled false --v3-signing-enabled false \
  --min-sdk-version 3

python3 - <<'PY'
import json, re, subprocess, pathlib
rows = []
for apk in sorted(pathlib.Path("apk").glob("*.apk")):
    badging = subprocess.run(["aapt", "dump", "badging", str(apk)], capture_output=True, text=True).stdout
    signer = subprocess.run(["apksigner", "verify", "-v", "--print-certs", str(apk)],
                            capture_output=True, text=True).stdout
    field = lambda pattern, text=badging: (re.search(pattern, text, re.M) or [None, None])[1]
    rows.append({
        "file": apk.name,
        "package": field(r"package: name='([^']*)'"),
        "version_code": field(r"versionCode='([^']*)'"),
        "version_name": field(r"versionName='([^']*)'"),
        "label": field(r"^application-label:'(.*)'$"),
        "labels": dict(re.findall(r"^application-label-([\w-]+):'(.*)'$", badging, re.M)),
        "min_sdk": field(r"^sdkVersion:'(\d+)'"),
        "target_sdk": field(r"^targetSdkVersion:'(\d+)'"),
        "permissions": sorted(set(re.findall(r"^uses-permission(?:-sdk-23)?: name='([^']*)'", badging, re.M))),
        "signer_sha256": re.findall(r"certificate SHA-256 digest: ([0-9a-f]+)", signer),
        "signer_dn": re.findall(r"certificate DN: (.*)", signer),
        "schemes": {s: f"(APK Signature Scheme {s}): true" in signer or
                       (s == "v1" and "(JAR signing): true" in signer) for s in ("v1", "v2", "v3")},
    })
with open("expected.jsonl", "w") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
print(f"{len(rows)} APKs built; peers' answers in expected.jsonl")
PY
