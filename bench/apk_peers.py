#!/usr/bin/env python3
"""APK benchmark driver: ictguard against aapt, apksigner and Androguard on the same APK files.

Called by bench/apk.sh, which installs the peers and builds ictguard first. Two roles:

  apk_peers.py run [options]          pick the APK set, time every tool, print the tables
  apk_peers.py ag-analyze FILE        (internal) Androguard AnalyzeAPK(FILE) in this fresh process
  apk_peers.py ag-apk FILE            (internal) Androguard APK(FILE) in this fresh process

Every measurement is whole-process: one process per APK, run sequentially, wall clock
(time.perf_counter around subprocess.run) summed over the set. Output goes to /dev/null.
A run that exits non-zero (or times out) still counts with its time; it is reported in the
"fail" columns.
"""
import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time

# ----------------------------------------------------------------------------------------------
# Androguard entry points (run in a fresh python process per APK, so import time is included,
# as it is for a user who runs a script per file).


def ag_main(kind, path):
    # Androguard 4 logs every step through loguru at DEBUG level to stderr; turn that off so we
    # time the analysis, not the logging (this favours the peer).
    from loguru import logger

    logger.remove()
    if kind == "ag-analyze":
        from androguard.misc import AnalyzeAPK

        a, d, dx = AnalyzeAPK(path)
        # touch the results so nothing is lazily skipped
        _ = (a.get_package(), len(d), len(list(dx.get_classes())))
    else:
        from androguard.core.apk import APK

        a = APK(path)
        _ = (a.get_package(), a.get_permissions())
    return 0


# ----------------------------------------------------------------------------------------------
# Timing helpers


def run_once(argv, timeout):
    """Run argv once; return (seconds, ok).

    Native tools are started with posix_spawn (vfork underneath), which costs far less than
    subprocess's fork of this Python process, so the timing is the tool's own and not the harness's;
    Androguard runs (timeout given as args.ag_timeout) go through subprocess for the timeout."""
    if timeout is None:
        devnull = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
        t0 = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=devnull)
        _, status = os.waitpid(pid, 0)
        return time.perf_counter() - t0, os.waitstatus_to_exitcode(status) == 0
    t0 = time.perf_counter()
    try:
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL, timeout=timeout)
        ok = r.returncode == 0
    except subprocess.TimeoutExpired:
        ok = False
    return time.perf_counter() - t0, ok


def time_set(files, make_cmds, timeout=None):
    """For each file run every command from make_cmds(file) in turn.

    Returns (total seconds, number of files where any command failed, list of failed files)."""
    total, failed = 0.0, []
    for f in files:
        file_ok = True
        for argv in make_cmds(f):
            s, ok = run_once(argv, timeout)
            total += s
            file_ok &= ok
        if not file_ok:
            failed.append(f)
    return total, len(failed), failed


def peak_rss_kb(argv):
    """Peak resident set size of argv in KiB, from GNU time -f %M."""
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    last = r.stderr.strip().splitlines()[-1]
    return int(last), r.returncode == 0


def evenly(items, n):
    """n items spread evenly over the list (deterministic); all of them if n is 0 or too big."""
    if n <= 0 or n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def machine_info():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"nproc={os.cpu_count()}  cpu={cpu}  kernel={platform.release()}"


def version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        out = (r.stdout or r.stderr).strip().splitlines()
        return out[0] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


# ----------------------------------------------------------------------------------------------
# The benchmark


def main_run(args):
    corpus = os.path.abspath(args.corpus)
    ig = os.path.abspath(args.ictguard)
    me = os.path.abspath(__file__)
    py = sys.executable

    print("== machine:", machine_info())
    print("== tools:  ictguard", version([ig, "--version"]), "| aapt", version(["aapt", "version"]),
          "| apksigner", version(["apksigner", "--version"]),
          "| androguard", version([py, "-c", "import androguard; print(androguard.__version__)"]))

    # 1. The APK set: every file in ORACLE.jsonl that exists and that aapt can read
    #    (`aapt dump badging` exits 0). This pass also warms the page cache for every tool.
    listed = []
    with open(os.path.join(corpus, "ORACLE.jsonl")) as fh:
        for line in fh:
            if line.strip():
                listed.append(os.path.join(corpus, json.loads(line)["file"]))
    present = [f for f in listed if os.path.isfile(f)]
    readable = [f for f in present if run_once(["aapt", "dump", "badging", f], 120)[1]]
    files = evenly(readable, args.n)
    print(f"== APK set: {len(listed)} listed in ORACLE.jsonl, {len(present)} present, "
          f"{len(readable)} readable by aapt, {len(files)} used (N={args.n or 'all'}), "
          f"{sum(os.path.getsize(f) for f in files) / 1e6:.1f} MB")
    for f in files:  # warm ictguard too (first exec of a fresh binary, cache)
        run_once([ig, "apk", "info", f, "--json"], 120)

    rows = []  # (task, files, ig_s, ig_fail, peer, peer_s, peer_fail, target)

    def info_cmd(f):
        return [[ig, "apk", "info", f, "--json"]]

    # 2a. manifest summary: ictguard apk info --json --no-verify (manifest, permissions, signer
    #     certificates, inventory; no signature verification, which aapt does not do either)
    #     vs aapt dump badging
    print("-- (a) manifest summary ...", flush=True)
    ig_info = time_set(files, lambda f: [[ig, "apk", "info", f, "--json", "--no-verify"]])
    aapt = time_set(files, lambda f: [["aapt", "dump", "badging", f]])
    rows.append(("a. manifest summary", len(files), ig_info, "aapt dump badging", aapt, 2))

    # 2b. signatures: `apk info --json` verifies v1/v2/v3 as part of the whole summary (there is no
    #     narrower subcommand, so the manifest reading is counted on ictguard's side too).
    print("-- (b) signature verification ...", flush=True)
    ig_info2 = time_set(files, info_cmd)
    signer = time_set(files, lambda f: [["apksigner", "verify", f]])
    rows.append(("b. signature verification", len(files), ig_info2, "apksigner verify", signer, 10))

    # 2c. whole reading on a deterministic subset (Androguard is slow):
    #     ictguard apk info --json --code (manifest, signatures verified, every DEX read whole) vs
    #     AnalyzeAPK(path), and vs APK(path) alone.
    sub = evenly(files, args.ag_n)
    print(f"-- (c) whole reading on {len(sub)} files "
          f"({sum(os.path.getsize(f) for f in sub) / 1e6:.1f} MB) ...", flush=True)
    ig_all = time_set(sub, lambda f: [[ig, "apk", "info", f, "--json", "--code"]])
    ag_an = time_set(sub, lambda f: [[py, me, "ag-analyze", f]], timeout=args.ag_timeout)
    ag_apk = time_set(sub, lambda f: [[py, me, "ag-apk", f]], timeout=args.ag_timeout)
    rows.append(("c. whole reading (info --code)", len(sub), ig_all,
                 "androguard AnalyzeAPK", ag_an, 50))
    rows.append(("c'. vs APK() only", len(sub), ig_all, "androguard APK", ag_apk, None))

    # Table
    print()
    hdr = (f"{'task':<41} {'files':>5} {'ictguard s':>10} {'fail':>4}  {'peer':<22} "
           f"{'peer s':>9} {'fail':>4} {'ratio':>8} {'target':>7}")
    print(hdr)
    print("-" * len(hdr))
    for task, n, (ig_s, ig_f, _), peer, (p_s, p_f, _), target in rows:
        ratio = p_s / ig_s if ig_s > 0 else math.inf
        tgt = f">={target}x" if target else "-"
        mark = "" if not target else (" ok" if ratio >= target else " MISS")
        print(f"{task:<41} {n:>5} {ig_s:>10.3f} {ig_f:>4}  {peer:<22} {p_s:>9.3f} {p_f:>4} "
              f"{ratio:>7.1f}x {tgt:>7}{mark}")
    print("(ratio = peer seconds / ictguard seconds; fail = files where the tool exited non-zero)")
    for task, _, (_, _, ig_failed), peer, (_, _, p_failed), _ in rows:
        if ig_failed:
            print(f"   {task}: ictguard failed on: "
                  + ", ".join(os.path.relpath(f, corpus) for f in ig_failed[:10])
                  + (" ..." if len(ig_failed) > 10 else ""))
        if p_failed:
            print(f"   {task}: {peer} failed on: "
                  + ", ".join(os.path.relpath(f, corpus) for f in p_failed[:10])
                  + (" ..." if len(p_failed) > 10 else ""))

    # 2d. peak memory on the big APKs of the whole corpus (> 10 MB, else the largest 5)
    big = sorted(present, key=os.path.getsize, reverse=True)
    over = [f for f in big if os.path.getsize(f) > 10_000_000]
    print()
    if over:
        print(f"== peak memory: the {len(over)} APK(s) over 10 MB in the corpus (target < 2x file size)")
        big = over
    else:
        print("== peak memory: no APK over 10 MB in the corpus; using the largest 5 (target < 2x)")
        big = big[:5]
    mh = (f"{'file':<52} {'size MB':>8} {'info RSS MB':>11} {'x size':>6} {'classes RSS MB':>14} "
          f"{'x size':>6} {'strings RSS MB':>14} {'x size':>6}")
    print(mh)
    print("-" * len(mh))
    for f in big:
        size = os.path.getsize(f)
        cells = []
        for sub_cmd in (["info", f, "--json", "--code"], ["classes", f], ["strings", f]):
            kb, ok = peak_rss_kb([ig, "apk"] + sub_cmd)
            cells.append((kb * 1024, ok))
        line = f"{os.path.relpath(f, corpus):<52} {size / 1e6:>8.1f}"
        for width, (rss, ok) in zip((11, 14, 14), cells):
            line += f" {rss / 1e6:>{width}.1f} {rss / size:>5.2f}x" + ("" if ok else "!")
        print(line)
    print("(RSS = peak resident set from /usr/bin/time -f %M; MB = 10^6 bytes; ! = exited non-zero;"
          " strings is extra, not a target)")


def main():
    if len(sys.argv) == 3 and sys.argv[1] in ("ag-analyze", "ag-apk"):
        sys.exit(ag_main(sys.argv[1], sys.argv[2]))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sp = p.add_subparsers(dest="cmd", required=True)
    r = sp.add_parser("run")
    r.add_argument("--ictguard", required=True, help="path to the ictguard binary")
    r.add_argument("--corpus", required=True, help="the APK corpus folder (with ORACLE.jsonl)")
    r.add_argument("--n", type=int, default=0, help="use at most N APKs, spread evenly (0 = all)")
    r.add_argument("--ag-n", type=int, default=30,
                   help="Androguard subset size, spread evenly over the set (0 = all)")
    r.add_argument("--ag-timeout", type=float, default=600, help="seconds per Androguard run")
    args = p.parse_args()
    main_run(args)


if __name__ == "__main__":
    main()
