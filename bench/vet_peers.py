#!/usr/bin/env python3
"""Vet benchmark driver: `ictguard vet` against Exodus-style tracker detection and Androguard.

Called by bench/vet.sh, which installs the peers, builds ictguard and the large APK first.
Three roles:

  vet_peers.py run [options]       pick the APK set, time every tool, print the tables
  vet_peers.py exodus FILE         (internal) the Exodus-style pipeline on FILE in this process
  vet_peers.py ag-analyze FILE     (internal) Androguard AnalyzeAPK(FILE) in this process

The Exodus-style pipeline is exodus-core's (exodus_core/analysis/static_analysis.py,
StaticAnalysis.get_embedded_classes and detect_trackers_in_list), run locally:

  1. extract every ZIP entry whose name matches `classes.*\\.dex` into a temporary directory
     (Python zipfile);
  2. `dexdump TMP/classes*.dex | perl -n -e'/[A-Z]+((?:\\w+\\/)+\\w+)/ && print "$1\\n"' | sort | uniq`
     through the shell, exactly as exodus-core does: dexdump's default output (every class's
     descriptor, superclass, interfaces, field and method type lines); from each line perl keeps
     the first `/`-separated type path after a capital letter, so `Lcom/foo/Bar;` becomes
     `com/foo/Bar`, and the list holds the referenced types of those lines as well as the
     defined classes;
  3. each tracker's code_signature with more than 3 characters (knowledge/exodus_trackers.json,
     the same Exodus list ictguard ships) compiled with Python `re` and `search`ed over that list,
     one tracker at a time, stopping at its first hit. The signatures are written with dots
     (`com.facebook.ads`) and the paths with slashes: the match works because `.` is a regex
     wildcard, and it is unanchored, so a signature matches anywhere in a path.

What we leave out of exodus-core, in the peer's favour: it also parses the APK with Androguard's
APK() in the StaticAnalysis constructor and downloads the signatures over HTTP; we read the local
JSON. The pipeline answers one question (which trackers), where `ictguard vet` also reads the
manifest, verifies signatures, scans strings for endpoints and scores the app.

Timing is whole-process, as in bench/apk_peers.py (whose helpers we import): one process per APK,
sequential, wall clock around posix_spawn + waitpid; every tool's standard output is kept in
OUTDIR (a few KB per APK) so detections can be compared afterwards.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TRACKERS = os.path.join(HERE, "..", "knowledge", "exodus_trackers.json")
# exodus-core's filter, verbatim
EXODUS_FILTER = r"""perl -n -e'/[A-Z]+((?:\w+\/)+\w+)/ && print "$1\n"'|sort|uniq"""


def exodus_main(path):
    """The Exodus-style pipeline on one APK; prints one JSON line: classes listed, trackers."""
    import re
    import tempfile
    import zipfile

    with open(TRACKERS, encoding="utf-8") as fh:
        trackers = json.load(fh)["trackers"]
    compiled = [re.compile(t["code_signature"]) for t in trackers]
    class_regex = re.compile(r"classes.*\.dex")
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(path, "r") as apk_zip:
            for info in apk_zip.infolist():
                if class_regex.search(info.filename):
                    apk_zip.extract(info, tmp)
        cmd = f"dexdump {tmp}/classes*.dex | {EXODUS_FILTER}"
        classes = subprocess.check_output(cmd, stderr=subprocess.STDOUT, shell=True,
                                          universal_newlines=True).splitlines()
    found = []
    for sig, t in zip(compiled, trackers):
        if len(t["code_signature"]) > 3:
            for clazz in classes:
                if sig.search(clazz):
                    found.append(t["name"])
                    break
    print(json.dumps({"file": path, "classes": len(classes), "trackers": found}))
    return 0


# ----------------------------------------------------------------------------------------------
# Timing helpers (on top of apk_peers')


def run_to(argv, out_path, timed=True):
    """Run argv once with stdout appended to out_path (stdin, stderr: /dev/null);
    return (seconds, exit code). posix_spawn, as apk_peers.run_once."""
    acts = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=acts)
    _, status = os.waitpid(pid, 0)
    return time.perf_counter() - t0, os.waitstatus_to_exitcode(status)


def timed_rss(argv, out_path, timeout=None):
    """argv under GNU time (-f '%e %M') and, if timeout, coreutils timeout; stdout appended to
    out_path. Returns dict(wall (perf_counter), e (time's %e), rss_kb, rc, timed_out)."""
    pre = ["/usr/bin/time", "-f", "TIME %e %M"]
    if timeout:
        pre += ["timeout", "--kill-after=10", str(int(timeout))]
    with open(out_path, "a") as out:
        t0 = time.perf_counter()
        r = subprocess.run(pre + argv, stdin=subprocess.DEVNULL, stdout=out,
                           stderr=subprocess.PIPE, text=True, errors="replace")
        wall = time.perf_counter() - t0
    e = rss = None
    for line in r.stderr.splitlines():
        if line.startswith("TIME "):
            _, e, rss = line.split()
    # GNU time exits with the command's status; timeout exits 124 (137 after --kill-after)
    return {"wall": wall, "e": float(e) if e else None, "rss_kb": int(rss) if rss else None,
            "rc": r.returncode, "timed_out": bool(timeout) and r.returncode in (124, 137)}


def median(xs):
    s = sorted(xs)
    n = len(s)
    return (s[n // 2] + s[(n - 1) // 2]) / 2 if n else float("nan")


def read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    pass
    return rows


def ig_trackers(report):
    """The Exodus trackers in an ictguard vet report (sdks whose source includes `exodus`)."""
    return sorted({s["name"] for s in report.get("sdks", []) if "exodus" in s.get("source", "")})


# ----------------------------------------------------------------------------------------------
# The benchmark


def main_run(args):
    import math
    import shutil

    sys.path.insert(0, HERE)
    from apk_peers import evenly, machine_info, run_once, version

    corpus = os.path.abspath(args.corpus)
    large = os.path.abspath(args.large)
    ig = os.path.abspath(args.ictguard)
    me = os.path.abspath(__file__)
    py = sys.executable
    outdir = os.path.abspath(args.outdir)
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    MB = 1e6

    dexdump_ver = version(["dpkg-query", "-W", "-f", "${Version}", "dexdump"])
    print("== machine:", machine_info())
    print("== tools:  ictguard", version([ig, "--version"]), "| dexdump", dexdump_ver,
          "| perl", version(["perl", "-e", "print $^V"]), "| python", sys.version.split()[0],
          "| androguard", version([py, "-c", "import androguard; print(androguard.__version__)"]))

    # 1. The set: ORACLE.jsonl rows with aapt_ok true whose file is present; and the large APK.
    listed, files = 0, []
    with open(os.path.join(corpus, "ORACLE.jsonl")) as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                listed += 1
                f = os.path.join(corpus, row["file"])
                if row.get("aapt_ok") is True and os.path.isfile(f):
                    files.append(f)
    if args.n:
        files = evenly(files, args.n)
    size = {f: os.path.getsize(f) for f in files + [large]}
    corpus_mb = sum(size[f] for f in files) / MB
    print(f"== APK set: {listed} listed in ORACLE.jsonl, {len(files)} with aapt_ok and present "
          f"({corpus_mb:.1f} MB); large APK {os.path.relpath(large)} ({size[large] / MB:.1f} MB)")

    def ig_cmd(f):
        return [ig, "vet", f, "--format", "json", "--exit-zero"]

    def ex_cmd(f):
        return [py, me, "exodus", f]

    # warm the page cache and the binaries (first exec), once per file for ictguard
    for f in files + [large]:
        run_once(ig_cmd(f), None)
    run_once(ex_cmd(files[0]), None)

    # 2a. corpus, one process per APK: ictguard vet vs the Exodus-style pipeline. Each tool goes
    # over the whole corpus in a pass of its own (one tool's runs back to back, as a script that
    # vets APKs one by one runs them), the passes alternate, `--corpus-runs` times, and each APK's
    # time is the median of its runs: a process of a few milliseconds is easily doubled by one
    # scheduling hiccup, and a slow spell of the machine falls on both tools alike. Outputs are
    # kept from the first pass.
    runs = max(1, args.corpus_runs)
    print(f"-- (a) corpus, one process per APK: ictguard vet and the Exodus-style pipeline, "
          f"{runs} alternating passes each ({len(files)} APKs) ...", flush=True)
    ig_out, ex_out = os.path.join(outdir, "ig_corpus.jsonl"), os.path.join(outdir, "ex_corpus.jsonl")
    ig_runs, ex_runs = {f: [] for f in files}, {f: [] for f in files}
    ig_rc, ex_rc = {}, {}
    for k in range(runs):
        for f in files:
            t, rc = run_to(ig_cmd(f), ig_out if k == 0 else os.devnull)
            ig_runs[f].append(t)
            ig_rc[f] = ig_rc.get(f) or rc
        for f in files:
            t, rc = run_to(ex_cmd(f), ex_out if k == 0 else os.devnull)
            ex_runs[f].append(t)
            ex_rc[f] = ex_rc.get(f) or rc
    ig_t = {f: median(ig_runs[f]) for f in files}
    ex_t = {f: median(ex_runs[f]) for f in files}

    # 2b. ictguard vet DIR: once on the whole corpus folder, once on a folder of links to the set
    print("-- (b) ictguard vet DIR, one process ...", flush=True)
    all_apks = [os.path.join(d, n) for d, _, ns in os.walk(corpus) for n in ns if n.endswith(".apk")]
    all_mb = sum(os.path.getsize(f) for f in all_apks) / MB
    dir_out = os.path.join(outdir, "ig_dir_corpus.jsonl")
    dir_s, dir_rc = run_to([ig, "vet", corpus, "--format", "json", "--exit-zero"], dir_out)
    dir_rows = read_jsonl(dir_out)
    links = os.path.join(outdir, "set")
    os.makedirs(links)
    for i, f in enumerate(files):
        os.symlink(f, os.path.join(links, f"{i:04d}.apk"))
    set_out = os.path.join(outdir, "ig_dir_set.jsonl")
    set_s, set_rc = run_to([ig, "vet", links, "--format", "json", "--exit-zero"], set_out)
    set_rows = read_jsonl(set_out)

    # 2e. the server: every APK of the set uploaded to `ictguard serve` (each vetted in a worker
    # process with its resource limits, each report written to the audit trail) by as many
    # concurrent clients as there are cores
    print(f"-- (e) ictguard serve: {len(files)} uploads to POST /v1/vet ...", flush=True)
    srv = serve_throughput(ig, files, outdir, clients=os.cpu_count() or 2)

    # 2c. Androguard AnalyzeAPK on an evenly spread subset (ictguard times from (a))
    sub = evenly(files, args.ag_n)
    print(f"-- (c) Androguard AnalyzeAPK on {len(sub)} APKs "
          f"({sum(size[f] for f in sub) / MB:.1f} MB) ...", flush=True)
    ag_t, ag_ok = {}, {}
    for f in sub:
        ag_t[f], ag_ok[f] = run_once([py, me, "ag-analyze", f], args.ag_timeout)

    # 2d. the large APK: ictguard under GNU time (REPEAT runs), the peers once each
    print(f"-- (d) large APK: ictguard vet x{args.repeat} ...", flush=True)
    ig_large = [timed_rss(ig_cmd(large), os.path.join(outdir, "ig_large.jsonl"))
                for _ in range(args.repeat)]
    classes_large = subprocess.run([ig, "apk", "classes", large], capture_output=True,
                                   text=True).stdout.count("\n")
    print("-- (d) large APK: Exodus-style pipeline ...", flush=True)
    ex_large = timed_rss(ex_cmd(large), os.path.join(outdir, "ex_large.jsonl"), args.ag_timeout)
    if args.ag_large:
        print(f"-- (d) large APK: Androguard AnalyzeAPK (timeout {args.ag_timeout:.0f} s) ...",
              flush=True)
        ag_large = timed_rss([py, me, "ag-analyze", large], os.devnull, args.ag_timeout)
    else:
        ag_large = None

    # ------------------------------------------------------------------------------------------
    # Tables
    ig_large_s = median([r["wall"] for r in ig_large])
    ig_large_e = median([r["e"] for r in ig_large if r["e"] is not None])
    ig_large_rss = max(r["rss_kb"] or 0 for r in ig_large) * 1024
    ig_large_fail = sum(r["rc"] != 0 for r in ig_large)

    def peer_large(r):
        if r is None:
            return None, "skipped"
        if r["timed_out"]:
            return None, f"timeout {args.ag_timeout:.0f}s"
        if r["rc"] != 0:
            return r["wall"], f"exit {r['rc']}" + (" (killed: OOM?)" if r["rc"] in (-9, 137) else "")
        return r["wall"], ""

    ex_large_s, ex_large_note = peer_large(ex_large)
    ag_large_s, ag_large_note = peer_large(ag_large)

    rows = []  # task, files, ig_s, ig_fail, peer, peer_s, peer_fail, target
    rows.append(("corpus: vet per APK", len(files), sum(ig_t.values()),
                 sum(rc != 0 for rc in ig_rc.values()), "Exodus-style", sum(ex_t.values()),
                 sum(rc != 0 for rc in ex_rc.values()), 20))
    rows.append(("large APK: vet", 1, ig_large_s, ig_large_fail, "Exodus-style", ex_large_s,
                 0 if not ex_large_note else 1, 20))
    rows.append(("corpus: one `vet DIR` process (same set)", len(files), set_s, int(set_rc != 0),
                 "Exodus-style", sum(ex_t.values()), sum(rc != 0 for rc in ex_rc.values()), None))
    rows.append(("subset: vet per APK", len(sub), sum(ig_t[f] for f in sub),
                 sum(ig_rc[f] != 0 for f in sub), "Androguard AnalyzeAPK", sum(ag_t.values()),
                 sum(not ok for ok in ag_ok.values()), None))
    rows.append(("large APK: vet", 1, ig_large_s, ig_large_fail, "Androguard AnalyzeAPK",
                 ag_large_s, 0 if not ag_large_note else 1, None))

    print()
    hdr = (f"{'task':<42} {'files':>5} {'ictguard s':>10} {'fail':>4}  {'peer':<22} "
           f"{'peer s':>9} {'fail':>4} {'ratio':>8} {'target':>7}")
    print(hdr)
    print("-" * len(hdr))
    for task, n, ig_s, ig_f, peer, p_s, p_f, target in rows:
        if p_s is None:
            cell, ratio_s, mark = "-", "-", ""
        else:
            ratio = p_s / ig_s if ig_s > 0 else math.inf
            cell, ratio_s = f"{p_s:.3f}", f"{ratio:.1f}x"
            mark = "" if not target else (" ok" if ratio >= target else " MISS")
        tgt = f">={target}x" if target else "-"
        print(f"{task:<42} {n:>5} {ig_s:>10.3f} {ig_f:>4}  {peer:<22} {cell:>9} {p_f:>4} "
              f"{ratio_s:>8} {tgt:>7}{mark}")
    print(f"(ratio = peer seconds / ictguard seconds, whole processes, sequential; corpus rows: the "
          f"sum over APKs of each APK's median of {runs} runs, in alternating passes; fail = runs "
          f"that exited non-zero; `vet DIR` is one process over links to the same APKs)")
    per = [ex_t[f] / ig_t[f] for f in files if ig_t[f] > 0]
    print(f"   per APK on the corpus: ictguard mean {1000 * sum(ig_t.values()) / len(files):.1f} ms"
          f" (median {1000 * median(list(ig_t.values())):.1f}), Exodus-style mean "
          f"{1000 * sum(ex_t.values()) / len(files):.1f} ms (median "
          f"{1000 * median(list(ex_t.values())):.1f}); ratio per APK: median "
          f"{median(per):.1f}x, min {min(per):.1f}x, APKs under 20x: {sum(p < 20 for p in per)}")
    worst = sorted(files, key=lambda f: ex_t[f] / ig_t[f] if ig_t[f] > 0 else math.inf)[:3]
    print("   lowest ratios: " + "; ".join(
        f"{os.path.relpath(f, corpus)} ({size[f] / MB:.1f} MB) ictguard {1000 * ig_t[f]:.0f} ms, "
        f"Exodus-style {1000 * ex_t[f]:.0f} ms" for f in worst))
    with open(os.path.join(outdir, "times.tsv"), "w") as fh:
        fh.write("file\tbytes\tictguard_s\tictguard_rc\texodus_s\texodus_rc\tandroguard_s\n")
        for f in files:
            fh.write(f"{os.path.relpath(f, corpus)}\t{size[f]}\t{ig_t[f]:.6f}\t{ig_rc[f]}\t"
                     f"{ex_t[f]:.6f}\t{ex_rc[f]}\t{ag_t[f] if f in ag_t else ''}\n")
    print(f"   Androguard subset: mean {sum(ag_t.values()) / max(len(sub), 1):.2f} s per APK")
    for label, d in (("ictguard", ig_rc), ("Exodus-style", ex_rc)):
        bad = [f for f, rc in d.items() if rc != 0]
        if bad:
            print(f"   {label} exited non-zero on {len(bad)}: "
                  + ", ".join(os.path.relpath(f, corpus) for f in bad[:8])
                  + (" ..." if len(bad) > 8 else ""))
    bad = [f for f, ok in ag_ok.items() if not ok]
    if bad:
        print(f"   Androguard failed/timed out on {len(bad)}: "
              + ", ".join(os.path.relpath(f, corpus) for f in bad[:8]))
    n_err = sum(1 for r in dir_rows if "error" in r)
    print(f"   throughput, `ictguard vet {os.path.relpath(corpus)}` (whole folder, one process): "
          f"{len(all_apks)} APKs, {all_mb:.1f} MB in {dir_s:.3f} s = {len(all_apks) / dir_s:.0f} "
          f"APKs/s, {all_mb / dir_s:.0f} MB/s; {len(dir_rows)} reports ({n_err} unreadable), "
          f"exit {dir_rc}")
    print(f"   throughput, `ictguard vet` on the {len(files)} APKs of the set: {set_s:.3f} s = "
          f"{len(files) / set_s:.0f} APKs/s, {corpus_mb / set_s:.0f} MB/s; {len(set_rows)} reports,"
          f" exit {set_rc}")

    cores = os.cpu_count() or 2
    ex_sum = sum(ex_t.values())
    print(f"   throughput, `ictguard serve` (POST /v1/vet, {srv['clients']} clients, a worker "
          f"process per vetting, each report audited): {srv['n']} uploads in {srv['wall']:.3f} s = "
          f"{srv['n'] / srv['wall']:.1f} vettings/s; statuses {srv['statuses']}")
    print(f"   against the Exodus-style pipeline spread over {cores} cores (its per-APK times above, "
          f"split evenly: {ex_sum / cores:.3f} s): `vet DIR` {ex_sum / cores / set_s:.1f}x, "
          f"`serve` {ex_sum / cores / srv['wall']:.1f}x")

    # large APK table
    print()
    print(f"== large APK: {os.path.relpath(large)}")
    lh = (f"{'size MB':>8} {'classes':>8} {'ictguard wall s':>15} {'peak RSS MB':>11} "
          f"{'< 2 s':>6} {'< 1 GB':>6} {'Exodus-style s':>14} {'ex RSS MB':>9} "
          f"{'Androguard s':>12} {'ag RSS MB':>9}")
    print(lh)
    print("-" * len(lh))

    def cell(s, note, w):
        return f"{(f'{s:.2f}' if s is not None and not note else note or '-'):>{w}}"

    def rss_cell(r, w):
        return f"{(r['rss_kb'] * 1024 / MB if r and r['rss_kb'] else float('nan')):>{w}.0f}"

    print(f"{size[large] / MB:>8.1f} {classes_large:>8} {ig_large_e:>15.2f} {ig_large_rss / MB:>11.0f} "
          f"{'ok' if ig_large_e < 2 else 'MISS':>6} {'ok' if ig_large_rss < 1e9 else 'MISS':>6} "
          f"{cell(ex_large_s, ex_large_note, 14)} {rss_cell(ex_large, 9)} "
          f"{cell(ag_large_s, ag_large_note, 12)} {rss_cell(ag_large, 9)}")
    print(f"(ictguard: median of {args.repeat} runs of GNU time %e (perf_counter median "
          f"{ig_large_s:.3f} s), peak RSS the max %M; nproc={os.cpu_count()}; classes = "
          f"`ictguard apk classes` lines; peers once each, wall from perf_counter)")

    # detections: the Exodus trackers each side found
    print()
    ig_rows = read_jsonl(ig_out)
    ex_rows = read_jsonl(ex_out)
    ig_by = {r.get("file"): r for r in ig_rows}
    ex_by = {r.get("file"): r for r in ex_rows}
    same = differ = missing = 0
    only_ig, only_ex = {}, {}
    for f in files:
        a, b = ig_by.get(f), ex_by.get(f)
        if a is None or b is None or "error" in a:
            missing += 1
            continue
        ta, tb = set(ig_trackers(a)), set(b["trackers"])
        if ta == tb:
            same += 1
        else:
            differ += 1
        for t in ta - tb:
            only_ig[t] = only_ig.get(t, 0) + 1
        for t in tb - ta:
            only_ex[t] = only_ex.get(t, 0) + 1
    with_any = sum(1 for f in files if f in ex_by and ex_by[f]["trackers"]
                   or f in ig_by and ig_trackers(ig_by[f]))
    print(f"== Exodus trackers found, corpus: {same} APKs same set, {differ} differ, {missing} "
          f"without both answers; {with_any} APKs with a tracker found by either")
    if only_ig:
        print("   only ictguard (APKs): " + ", ".join(
            f"{t} ({n})" for t, n in sorted(only_ig.items(), key=lambda x: (-x[1], x[0]))))
    if only_ex:
        print("   only Exodus-style (APKs): " + ", ".join(
            f"{t} ({n})" for t, n in sorted(only_ex.items(), key=lambda x: (-x[1], x[0]))))
    ig_l = read_jsonl(os.path.join(outdir, "ig_large.jsonl"))
    ex_l = read_jsonl(os.path.join(outdir, "ex_large.jsonl"))
    if ig_l and ex_l:
        a, b = set(ig_trackers(ig_l[0])), set(ex_l[0]["trackers"])
        print(f"== Exodus trackers found, large APK: ictguard {len(a)}, Exodus-style {len(b)} "
              f"(its class list: {ex_l[0]['classes']} type paths)")
        print("   both:               " + ", ".join(sorted(a & b)))
        print("   only ictguard:      " + (", ".join(sorted(a - b)) or "-"))
        print("   only Exodus-style:  " + (", ".join(sorted(b - a)) or "-"))
        other = sorted({s["name"] for s in ig_l[0].get("sdks", [])
                        if "exodus" not in s.get("source", "")})
        print("   ictguard, from its SDK signatures (not Exodus): " + (", ".join(other) or "-"))
        print(f"   ictguard verdict: risk {ig_l[0].get('risk')}, score {ig_l[0].get('score')}, "
              f"{len(ig_l[0].get('findings', []))} findings")
    print(f"(raw outputs in {os.path.relpath(outdir)})")


def serve_throughput(ig, files, outdir, clients):
    """Upload every file to a fresh `ictguard serve` with `clients` concurrent clients; the wall
    time from the first upload to the last answer, and the answers' statuses."""
    import http.client
    import queue
    import threading
    import urllib.parse

    db = os.path.join(outdir, "serve.db")
    key = subprocess.run([ig, "keys", "create", "--role", "screen", "--database", db],
                         capture_output=True, text=True, check=True).stdout.strip()
    server = subprocess.Popen([ig, "serve", "--listen", "127.0.0.1:0", "--database", db],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = urllib.parse.urlparse(server.stdout.readline().strip().split(" ", 2)[-1])
        bodies = {f: open(f, "rb").read() for f in files}

        def post(conn, f):
            conn.request("POST", "/v1/vet?as_of=2026-11-25", body=bodies[f],
                         headers={"Authorization": f"Bearer {key}",
                                  "Content-Type": "application/vnd.android.package-archive"})
            r = conn.getresponse()
            r.read()
            return r.status

        warm = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
        post(warm, files[0])
        todo = queue.Queue()
        for f in files:
            todo.put(f)
        statuses, lock = {}, threading.Lock()

        def client():
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
            while True:
                try:
                    f = todo.get_nowait()
                except queue.Empty:
                    return
                status = post(conn, f)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1

        threads = [threading.Thread(target=client) for _ in range(clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait()
    return {"n": len(files), "wall": wall, "statuses": dict(sorted(statuses.items())),
            "clients": clients}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "exodus":
        sys.exit(exodus_main(sys.argv[2]))
    if len(sys.argv) == 3 and sys.argv[1] == "ag-analyze":
        sys.path.insert(0, HERE)
        from apk_peers import ag_main

        sys.exit(ag_main("ag-analyze", sys.argv[2]))
    import argparse

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sp = p.add_subparsers(dest="cmd", required=True)
    r = sp.add_parser("run")
    r.add_argument("--ictguard", required=True, help="path to the ictguard binary")
    r.add_argument("--corpus", required=True, help="the APK corpus folder (with ORACLE.jsonl)")
    r.add_argument("--large", required=True, help="the large APK (bench/make_large_apk.sh)")
    r.add_argument("--outdir", required=True, help="where the tools' outputs are kept")
    r.add_argument("--n", type=int, default=0, help="use at most N corpus APKs, spread evenly")
    r.add_argument("--ag-n", type=int, default=30,
                   help="Androguard subset size, spread evenly over the set (0 = all)")
    r.add_argument("--ag-timeout", type=float, default=600,
                   help="seconds per Androguard run (and for the Exodus-style run on the large APK)")
    r.add_argument("--no-ag-large", dest="ag_large", action="store_false",
                   help="skip Androguard on the large APK")
    r.add_argument("--repeat", type=int, default=5, help="ictguard runs on the large APK")
    r.add_argument("--corpus-runs", type=int, default=3,
                   help="passes of each tool over the corpus, alternating (each APK's median counts)")
    args = p.parse_args()
    main_run(args)


if __name__ == "__main__":
    main()
