#!/usr/bin/env python3
"""Benchmark the review record on the reference history of DESIGN §9.

On top of bench.py's reference repository (7,500 allocations, 5,000 evidence
records), appends COMMITS commits to `main` with `git fast-import`: each
changes one allocation; every third carries a `Reviewed:` trailer; every
tenth is a merge of a side-branch commit. Then measures, in the same run:

  baseline   git log --first-parent --name-only
             --format='%H %ct%n%(trailers:only,unfold)', wall and CPU time
  cold       isms stale (no cache), wall and CPU time (with its children),
             and the peak RssAnon of isms itself, at 10k, 30k and COMMITS
  warm       isms stale and isms status (cache, nothing new), against
             git status --porcelain
  warm+N     isms stale after 1 and after 100 new commits, checked
             byte-identical to a cold run
  reports    every report in every format, `isms export oscal` and
             `isms site`, with the history cache warm
  pack       `isms pack` against `tar czf` of the artifacts, before and
             after adding 128 MiB of artifact bytes
  staged     isms check --staged with one allocation staged, and git commit
             with the installed hooks against --no-verify
  3x items   cold and warm stale at 3x the items and 10k commits

Usage: bench/history.py [--commits N] [--runs N] [--keep DIR] [--isms PATH]
"""

import argparse
import hashlib
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

BASE_TIME = 1577836800  # 2020-01-01


def fast_import(repo, start, count, seq0):
    """Appends `count` commits to main; returns the next sequence number."""
    head = subprocess.run(["git", "rev-parse", "main"], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()
    lines = []
    mark = 0
    prev = f"{head}"

    def commit(ref, parent, merge, msg, path, seq):
        nonlocal mark
        mark += 1
        t = BASE_TIME + seq * 600
        body = msg.encode()
        content = (f'service = "{path[1]}"\ncontrol = "{path[2]}"\nparty = "shared"\n'
                   f'provider = "Bench Cloud operates {path[2]}, revision {seq}."\n'
                   f'customer = "Tenants configure {path[2]}."\njustification = ""\nowner = "isms-owner"\n').encode()
        out = [f"commit {ref}", f"mark :{mark}", f"author Bench <bench@example.com> {t} +0000",
               f"committer Bench <bench@example.com> {t} +0000", f"data {len(body)}"]
        lines.append("\n".join(out).encode() + b"\n" + body + b"\n")
        lines.append(f"from {parent}\n".encode())
        if merge:
            lines.append(f"merge {merge}\n".encode())
        lines.append(f"M 100644 inline {path[0]}\ndata {len(content)}\n".encode() + content + b"\n")
        return f":{mark}"

    controls = sorted(f[:-5] for f in os.listdir(os.path.join(repo, "controls")))
    seq = seq0
    for i in range(count):
        seq += 1
        svc, ctl = f"svc-{seq % 50:02d}", controls[seq % len(controls)]
        path = (f"responsibilities/{svc}/{ctl}.toml", svc, ctl)
        trailer = f"\n\nReviewed: allocation:{svc}/{ctl}\nReview-Outcome: effective" if seq % 3 == 0 else ""
        if seq % 10 == 0:
            side = commit("refs/heads/side", prev, None, f"review on a branch{trailer}", path, seq)
            prev = commit("refs/heads/main", prev, side, f"Merge pull request #{seq} from bench/side", path, seq)
        else:
            prev = commit("refs/heads/main", prev, None, f"change {seq}{trailer}", path, seq)
    stream = b"".join(lines)
    subprocess.run(["git", "fast-import", "--quiet", "--force"], cwd=repo, input=stream, check=True, env=bench.ENV)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, check=True, env=bench.ENV)
    return seq


def generate_on_main(isms, repo, **options):
    """bench.py's reference repository (`options` go to bench.generate), its
    record branch `main`."""
    bench.generate(isms, repo, **options)
    subprocess.run(["git", "branch", "-M", "main"], cwd=repo, check=True, env=bench.ENV)
    cfg = os.path.join(repo, "isms.toml")
    text = open(cfg).read()
    open(cfg, "w").write(re.sub(r'branch = "[^"]*"', 'branch = "main"', text))
    subprocess.run(["git", "commit", "-qam", "record branch main"], cwd=repo, check=True, env=bench.ENV)


def max_rss_kib(cmd, cwd):
    """Peak memory of one run: (isms's own peak RssAnon, its peak RSS, the
    largest RSS of isms and the `git log` it starts). RssAnon is the heap
    and stacks, without the pack files git maps; it is sampled until isms
    exits. The last is what the kernel reports for the process tree."""
    code = ("import resource,subprocess,sys,time\n"
            "p=subprocess.Popen(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)\n"
            "hwm=anon=0\n"
            "while p.poll() is None:\n"
            "    try:\n"
            "        for l in open(f'/proc/{p.pid}/status'):\n"
            "            if l.startswith('VmHWM:'): hwm=max(hwm,int(l.split()[1]))\n"
            "            if l.startswith('RssAnon:'): anon=max(anon,int(l.split()[1]))\n"
            "    except OSError: pass\n"
            "    time.sleep(0.001)\n"
            "print(anon, hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], cwd=cwd, capture_output=True, text=True, env=bench.ENV, check=True)
    anon, own, tree = out.stdout.split()
    return int(anon), int(own), int(tree)


LOG = "git log --first-parent --name-only --format='%H %ct%n%(trailers:only,unfold)' main > /dev/null"


def timed(cmd, repo, shell=False):
    """Wall time and CPU time (the process and every child it waited for)
    of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=repo, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=bench.ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def medians(runs):
    runs = list(runs)
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def cold_figures(isms, repo, runs):
    """The `git log` baseline and a cold `isms stale`, interleaved:
    (baseline wall, CPU), (cold wall, CPU), and the peak memory of a cold run."""
    cache = os.path.join(repo, ".git", "isms")
    timed(LOG, repo, shell=True)  # page cache
    base, cold = [], []
    for _ in range(runs):
        base.append(timed(LOG, repo, shell=True))
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(timed([isms, "stale"], repo))
    shutil.rmtree(cache, ignore_errors=True)
    return medians(base), medians(cold), max_rss_kib([isms, "stale"], repo)


def warm_figures(isms, repo, runs):
    """Warm `isms stale` and `isms status`, and `git status --porcelain` on
    the same tree: knowing that nothing changed is git's own status
    question, the baseline for a warm answer."""
    # The summary is kept only for files older than the file system's time
    # resolution could tell apart (3 s): wait as long after the checkout.
    time.sleep(3.1)
    warm = bench.measure([isms, "stale"], repo, runs, expect=1)
    warm_status = bench.measure([isms, "status"], repo, runs)
    git_status = bench.measure(["git", "status", "--porcelain"], repo, runs)
    return warm, warm_status, git_status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep")
    ap.add_argument("--isms", help="the isms binary (default: build with cargo --release)")
    args = ap.parse_args()
    isms = args.isms
    if not isms:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=bench.ROOT, check=True)
        isms = os.path.join(bench.ROOT, "target", "release", "isms")
    isms = os.path.abspath(isms)
    base = args.keep or tempfile.mkdtemp(prefix="isms-history-bench-")
    repo = os.path.join(base, "ref")
    if os.path.exists(repo):
        shutil.rmtree(repo)
    t0 = time.perf_counter()
    generate_on_main(isms, repo)
    cache = os.path.join(repo, ".git", "isms")
    # Today: the working tree, with the summary cache. (A past --as-of reads
    # the record branch as it stood that day, measured on its own below.)
    stale = [isms, "stale"]

    # The history grows in stages; the cold figures are taken at each.
    stages = []
    seq = 0
    for size in sorted({min(10_000, args.commits), min(30_000, args.commits), args.commits}):
        seq = fast_import(repo, 0, size - seq, seq)
        count = subprocess.run(["git", "rev-list", "--count", "main"], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()
        stages.append((count, *cold_figures(isms, repo, args.runs)))
    print(f"reference history: {count} commits on main (with merges), generated and measured in stages in {time.perf_counter() - t0:.0f} s")

    warm, warm_status, git_status = warm_figures(isms, repo, args.runs)

    def output_of(cmd):
        return subprocess.run(cmd, cwd=repo, capture_output=True, env=bench.ENV).stdout

    def after(n):
        """Time of `isms stale` with a warm cache after n new commits, and
        whether its answer is byte-identical to a cold run's."""
        nonlocal seq
        subprocess.run(stale, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=bench.ENV)  # cache at tip
        seq = fast_import(repo, 0, n, seq)
        start = time.perf_counter()
        incremental = output_of(stale)
        took = time.perf_counter() - start
        shutil.rmtree(cache, ignore_errors=True)
        return took, incremental == output_of(stale)

    incremental = {}
    for n in (1, 100):
        runs = [after(n) for _ in range(args.runs)]
        incremental[n] = (statistics.median(t for t, _ in runs), all(same for _, same in runs))
    # Reports with the history cache warm (DESIGN: each under 2 s), and the
    # evidence pack (time follows the artifact bytes).
    subprocess.run(stale, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=bench.ENV)
    reports = {}
    for kind in ["soa", "matrix", "evidence"]:
        for fmt in ["md", "csv", "json", "html"]:
            reports[f"{kind} {fmt}"] = bench.measure([isms, "--format", fmt, "report", kind], repo, args.runs)
    # A past day: the tree of the commit that had landed by then, from git objects.
    past_stale = bench.measure([isms, "--as-of", "2026-01-01", "stale"], repo, args.runs, expect=1)
    past_soa = bench.measure([isms, "--as-of", "2026-01-01", "report", "soa"], repo, args.runs)
    export = bench.measure([isms, "export", "oscal", "--out", os.path.join(base, "oscal")], repo, args.runs)
    site = bench.measure([isms, "site", "--out", os.path.join(base, "site")], repo, args.runs)
    site_files = sum(len(fs) for _, _, fs in os.walk(os.path.join(base, "site")))
    # What creating that many files costs here: replacing a copy of the site.
    copy = f"rm -rf {base}/site-copy && cp -r {base}/site {base}/site-copy"
    site_copy = bench.measure(copy, repo, args.runs, shell=True)

    # The pack against `tar czf` of the artifacts (the same deflate), at the
    # generated artifact bytes and again with 128 MiB more: its time should
    # grow with the bytes as tar's does.
    pack_out = os.path.join(base, "pack.zip")
    files_dir = os.path.join(repo, "evidence", "files")

    def artifact_bytes():
        return sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(files_dir) for f in fs)

    def pack_vs_tar():
        pack = bench.measure([isms, "pack", "--out", pack_out], repo, args.runs)
        tar = bench.measure(["tar", "czf", os.path.join(base, "artifacts.tgz"), "-C", repo, "evidence/files"], repo, args.runs)
        return artifact_bytes(), pack, tar, os.path.getsize(pack_out)

    packs = [pack_vs_tar()]
    # The pack against what it holds made by git and tar: a bundle of the
    # record branch, and the pack's other files; then --verify, which
    # re-derives every file from the bundle.
    other = os.path.join(base, "pack-files")
    shutil.rmtree(other, ignore_errors=True)
    subprocess.run(["unzip", "-q", pack_out, "-d", other], check=True)
    os.remove(os.path.join(other, "record.bundle"))
    parts = (f"git bundle create {base}/record.bundle refs/heads/main 2>/dev/null && "
             f"tar czf {base}/pack-files.tgz -C {other} .")
    pack_whole = bench.measure([isms, "pack", "--out", pack_out], repo, args.runs)
    parts_t = bench.measure(parts, repo, args.runs, shell=True)
    verify_t = bench.measure([isms, "pack", "--verify", pack_out], repo, args.runs)
    shutil.rmtree(other)
    # 128 MiB more artifact bytes, committed with their new hashes: the pack
    # reads the commit.
    names = sorted(n for n in os.listdir(files_dir) if n.endswith(".txt"))[:128]
    for name in names:  # half compressible text, half random bytes
        path = os.path.join(files_dir, name)
        with open(path, "ab") as f:
            f.write((b"2026-01-01T00:00:00Z audit event ok\n" * 14564)[:512 * 1024] + os.urandom(512 * 1024))
        digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
        record = os.path.join(repo, "evidence", name[: -len(".txt")] + ".toml")
        text = open(record).read()
        open(record, "w").write(re.sub(r'sha256 = "[0-9a-f]*"', f'sha256 = "{digest}"', text))
    subprocess.run(["git", "commit", "-qam", "larger artifacts"], cwd=repo, check=True, env=bench.ENV)
    packs.append(pack_vs_tar())
    print(f"median of {args.runs} runs")
    print("cold isms stale, against git log --first-parent --name-only + trailers")
    print(f"{'commits':>8} {'git log':>10} {'cpu':>9} {'isms':>10} {'cpu':>9} {'wall x':>7} {'cpu x':>6} {'RssAnon':>9}")
    for count, (bw, bc), (cw, cc), rss in stages:
        print(f"{count:>8} {bw * 1000:7.0f} ms {bc * 1000:6.0f} ms {cw * 1000:7.0f} ms {cc * 1000:6.0f} ms "
              f"{cw / bw:6.2f}x {cc / bc:5.2f}x {rss[0] / 1024:6.1f} MiB")
    print("  targets: cpu <= 1.0x and wall <= 0.75x at every size")
    rss_10k, rss_100k = stages[0][3], stages[-1][3]
    print(f"isms stale, warm (nothing new): {warm * 1000:.1f} ms; against git status --porcelain on the same tree "
          f"({git_status * 1000:.1f} ms): stale {warm / git_status:.2f}x, status {warm_status * 1000:.1f} ms = "
          f"{warm_status / git_status:.2f}x (target <= 1.0x)")
    for n, (t, same) in incremental.items():
        print(f"isms stale, warm + {n} new commit{'s' if n > 1 else ''}: {t * 1000:.0f} ms = warm + {(t - warm) * 1000:.0f} ms; "
              f"{'byte-identical to a cold run' if same else 'DIFFERS from a cold run'}")
    print("  targets: + 1 commit <= warm + 30 ms; + 100 commits <= 150 ms")
    slowest = max(reports, key=reports.get)
    print(f"reports, warm: slowest {slowest} {reports[slowest] * 1000:.0f} ms, fastest {min(reports.values()) * 1000:.0f} ms (target < 2 s each)")
    print(f"a past --as-of (reads that day's commit): stale {past_stale * 1000:.0f} ms, report soa {past_soa * 1000:.0f} ms")
    print(f"export oscal: {export * 1000:.0f} ms; site: {site * 1000:.0f} ms for {site_files} files "
          f"({site / site_copy:.2f}x replacing a copy of it with cp -r: {site_copy * 1000:.0f} ms)")
    for size, pack, tar, zipped in packs:
        print(f"pack: {pack * 1000:.0f} ms ({zipped / 2**20:.1f} MiB zip) with {size / 2**20:.1f} MiB of artifacts; "
              f"tar czf of the artifacts: {tar * 1000:.0f} ms")
    print(f"pack: {pack_whole * 1000:.0f} ms; git bundle create + tar czf of its other files: {parts_t * 1000:.0f} ms "
          f"({pack_whole / parts_t:.2f}x, target <= 1.5x); pack --verify: {verify_t * 1000:.0f} ms "
          f"({verify_t / pack_whole:.2f}x pack, target <= 2x)")
    (s0, p0, t0, _), (s1, p1, t1, _) = packs
    print(f"pack, per added MiB of artifacts: {(p1 - p0) / ((s1 - s0) / 2**20) * 1000:.1f} ms; "
          f"tar czf: {(t1 - t0) / ((s1 - s0) / 2**20) * 1000:.1f} ms ({(p1 - p0) / (t1 - t0):.2f}x)")
    first = stages[0][0]
    print(f"cold isms stale, isms's own peak RssAnon: {rss_10k[0] / 1024:.1f} MiB at {first} commits, "
          f"{rss_100k[0] / 1024:.1f} MiB at {count} commits = {rss_100k[0] / rss_10k[0]:.2f}x (target <= 1.25x)")
    print(f"  its peak RSS (with the pack files git maps): {rss_10k[1] / 1024:.0f} MiB at {first} commits, "
          f"{rss_100k[1] / 1024:.0f} MiB at {count} commits; with the git log it runs (largest process): "
          f"{rss_10k[2] / 1024:.0f} MiB, {rss_100k[2] / 1024:.0f} MiB")
    # The pre-commit path at the reference size, its whole history present:
    # check --staged with one allocation staged, and git commit with the
    # installed hooks against --no-verify, interleaved.
    one = os.path.join(repo, "responsibilities", "svc-07", sorted(os.listdir(os.path.join(repo, "responsibilities", "svc-07")))[0])
    with open(one, "a", encoding="utf-8") as f:
        f.write("# staged in bench\n")
    subprocess.run(["git", "add", one], cwd=repo, check=True, env=bench.ENV)
    staged = bench.measure([isms, "check", "--staged"], repo, args.runs)
    subprocess.run([isms, "hooks", "install"], cwd=repo, check=True, env=bench.ENV, stderr=subprocess.DEVNULL)
    no_verify, with_hooks = bench.commit_with_and_without_hooks(isms, repo, one, args.runs)
    print(f"isms check --staged, one allocation staged: {staged * 1000:.1f} ms (target <= 30 ms); git commit: "
          f"--no-verify {no_verify * 1000:.1f} ms, with the installed hooks {with_hooks * 1000:.1f} ms = "
          f"{with_hooks / no_verify:.2f}x (target <= 1.5x)")
    # 3x the items (150 services, 15,000 evidence records), 10k commits.
    scaled = os.path.join(base, "ref3")
    shutil.rmtree(scaled, ignore_errors=True)
    generate_on_main(isms, scaled, scale=3)
    fast_import(scaled, 0, min(10_000, args.commits), 0)
    (bw3, bc3), (cw3, cc3), _ = cold_figures(isms, scaled, args.runs)
    w3, s3, g3 = warm_figures(isms, scaled, args.runs)
    cw1 = stages[0][2][0]
    print(f"3x the items, {stages[0][0]} commits: cold isms stale {cw3 * 1000:.0f} ms ({cw3 / bw3:.2f}x git log wall, "
          f"{cc3 / bc3:.2f}x its CPU) = {cw3 / cw1:.2f}x the time at 1x (target <= 3.3x); warm stale "
          f"{w3 / g3:.2f}x and status {s3 / g3:.2f}x git status --porcelain ({g3 * 1000:.1f} ms; target <= 1.0x)")
    if not args.keep:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
