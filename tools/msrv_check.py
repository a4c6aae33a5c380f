#!/usr/bin/env python3
"""Check that the workspace's `rust-version` is not lower than any dependency's.

The workspace Cargo.toml's `rust-version` is a promise: "this builds with Rust X or newer". It is only true if
every package in the lock file builds with X too, and each package says what it needs in its own
`rust-version` field. This script reads `cargo metadata --format-version 1 --locked --all-features`
(every package the lock file resolves to, on every platform, with its `rust_version`) and fails
(exit 1, naming the packages) when a dependency declares a newer Rust than the workspace does.

It checks declarations only: a package that declares nothing, or declares too little, is not
caught, and our own code is not compiled with the older toolchain (CI has one toolchain).

The workspace's version is `[workspace.package] rust-version` in the root Cargo.toml (members
inherit it with `rust-version.workspace = true`), and any member's own `rust-version`: the lowest
of these is what the workspace promises.

Usage: python3 tools/msrv_check.py [--manifest-path Cargo.toml]
Python 3.11 or newer (tomllib), standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import tomllib


def version_key(text):
    """"1.85" and "1.85.0" compare equal; "1.88" is newer than "1.85.1"."""
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def metadata(manifest_path):
    command = ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features"]
    if manifest_path:
        command += ["--manifest-path", manifest_path]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest-path", help="the workspace's Cargo.toml (default: cargo's search)")
    args = parser.parse_args()

    meta = metadata(args.manifest_path)
    members = set(meta["workspace_members"])
    packages = meta["packages"]

    ours = [p for p in packages if p["id"] in members]
    root = os.path.join(meta["workspace_root"], "Cargo.toml")
    with open(root, "rb") as f:
        workspace = tomllib.load(f).get("workspace", {}).get("package", {}).get("rust-version")
    stated = [v for v in [workspace] + [p.get("rust_version") for p in ours] if v]
    if not stated:
        print(f"msrv: no rust-version in {root} ([workspace.package]) or in any member")
        return 1
    # the workspace promises the lowest version stated anywhere in it
    claimed = min(stated, key=version_key)

    deps = [p for p in packages if p["id"] not in members and p.get("rust_version")]
    newer = sorted(
        (p for p in deps if version_key(p["rust_version"]) > version_key(claimed)),
        key=lambda p: (version_key(p["rust_version"]), p["name"]),
        reverse=True,
    )
    highest = max((p["rust_version"] for p in deps), key=version_key, default=None)
    print(
        f"msrv: workspace rust-version {claimed}; {len(packages) - len(ours)} dependencies, "
        f"{len(deps)} declare one, the highest {highest}"
    )
    if newer:
        print(f"msrv: {len(newer)} dependencies need a newer Rust than {claimed}:")
        for p in newer:
            print(f"  {p['name']} {p['version']} needs {p['rust_version']}")
        print(f"msrv: raise rust-version in Cargo.toml to at least {newer[0]['rust_version']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
