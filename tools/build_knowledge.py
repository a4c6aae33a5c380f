#!/usr/bin/env python3
"""Regenerate the third-party parts of knowledge/ from ../shared/knowledge (run from the repo root:
python3 tools/build_knowledge.py). Each output keeps only the fields ictguard reads; licences are
copied beside them in knowledge/licenses/. vendors.toml and permission_categories.toml are ours and
are edited by hand."""
import glob, json, pathlib, shutil
import yaml  # PyYAML

src = pathlib.Path("../shared/knowledge")
out = pathlib.Path("knowledge")
lic = out / "licenses"
lic.mkdir(parents=True, exist_ok=True)

# Android permissions: protection level, group and label; the newest API level that defines each wins
perms = {}
for api in (23, 30, 34, 36):
    data = json.load(open(src / "aosp_permissions" / f"permissions_{api}.json"))
    for name, p in data["permissions"].items():
        perms[name] = {
            "level": p.get("protectionLevel", ""),
            "group": p.get("permissionGroup", "") or None,
            "label": (p.get("label") or "").strip() or None,
            "api": api if name not in perms else perms[name]["api"],
        }
json.dump({"source": "AOSP platform manifests as extracted by Androguard 4.1.4 (Apache-2.0)",
           "permissions": dict(sorted(perms.items()))},
          open(out / "permissions.json", "w"), ensure_ascii=False, indent=0, sort_keys=True)
shutil.copy(src / "aosp_permissions" / "LICENSE", lic / "aosp-permissions.Apache-2.0.txt")

# SDK signatures: how to detect each SDK and who makes it
sdks = []
for f in sorted(glob.glob(str(src / "sdk_signatures" / "*" / "*.yaml"))):
    d = yaml.safe_load(open(f))
    det = d.get("detection") or {}
    components = []
    for key in ("manifest_activities", "manifest_services", "manifest_receivers", "manifest_providers"):
        components += det.get(key) or []
    sdks.append({
        "id": d["id"],
        "name": d["name"],
        "vendor": d.get("vendor") or None,
        "category": d.get("category"),
        "package_prefixes": det.get("package_prefixes") or [],
        "native_libs": det.get("native_libs") or [],
        "components": components,
        "permissions": (d.get("risk") or {}).get("permissions") or [],
        "privacy_risk": (d.get("risk") or {}).get("privacy_risk"),
    })
json.dump({"source": "apk-analyzer 1.32.0 SDK signature database (MIT), much of it from LibChecker-Rules",
           "sdks": sdks}, open(out / "sdks.json", "w"), ensure_ascii=False, indent=0)
shutil.copy(src / "sdk_signatures" / "LICENSE", lic / "sdk-signatures.MIT.txt")

# Exodus tracker signatures (ODbL 1.0: attribute Exodus Privacy where results are shown)
trackers = json.load(open(src / "exodus" / "trackers.json"))["trackers"]
keep = [{k: t.get(k) for k in ("id", "name", "code_signature", "network_signature", "website", "categories")}
        for t in trackers.values()]
json.dump({"source": "Exodus Privacy tracker list, https://reports.exodus-privacy.eu.org (ODbL 1.0)",
           "licence": "ODbL-1.0", "trackers": keep},
          open(out / "exodus_trackers.json", "w"), ensure_ascii=False, indent=0)
print(f"{len(perms)} permissions, {len(sdks)} SDKs, {len(keep)} trackers")
