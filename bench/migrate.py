#!/usr/bin/env python3
"""Benchmark `isms migrate --to 2022` on the reference repository in 2013 numbering.

Generates bench.py's reference repository with `isms init --edition 2013`:
50 services x the 121 catalog controls (all made matrix controls: 6,050
allocations) and 5,000 evidence records, then appends COMMITS commits with
history.py's generator (merges, reviews). Then measures, in the same run:

  baseline   `git add -A && git commit` of the migrated tree, in a copy of
             the repository at the commit before the migration
  migrate    isms migrate --to 2022 (history cache warm), reset between runs
  stale      isms stale after the migration: the first run (one new commit
             to walk) and warm (target < 50 ms)

Each figure is the median of --runs runs. Target: migrate at most 3x the
baseline.

Usage: bench/migrate.py [--commits N] [--runs N] [--keep DIR]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

import bench
import history


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, env=bench.ENV, check=True, capture_output=True, text=True).stdout.strip()


def timed(cmd, cwd, shell=False):
    # Nothing of the preparation is still being written back while timing.
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=bench.ENV, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if r.returncode not in (0, 1):
        raise SystemExit(f"{cmd}: exit {r.returncode}\n{r.stderr.decode()}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=bench.ROOT, check=True)
    isms = os.path.join(bench.ROOT, "target", "release", "isms")
    base = args.keep or tempfile.mkdtemp(prefix="isms-migrate-bench-")
    repo = os.path.join(base, "ref")
    if os.path.exists(repo):
        shutil.rmtree(repo)
    t0 = time.perf_counter()
    history.generate_on_main(isms, repo, edition="2013", synthetic=False)
    history.fast_import(repo, 0, args.commits, 0)
    count = git(repo, "rev-list", "--count", "main")
    files = len(git(repo, "ls-files").splitlines())
    print(f"reference repository in 2013 numbering: {files} files, {count} commits on main "
          f"(generated in {time.perf_counter() - t0:.0f} s)")
    stale = [isms, "--as-of", "2026-01-01", "stale"]
    timed(stale, repo)  # the history cache, warm
    before = git(repo, "rev-parse", "HEAD")
    # Every run starts from its own copy of the repository, so that neither
    # git nor isms finds the objects of an earlier run.
    pristine = os.path.join(base, "pristine")
    shutil.copytree(repo, pristine, symlinks=True)

    def fresh(name):
        d = os.path.join(base, name)
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(pristine, d, symlinks=True)
        return d

    migrate = [isms, "migrate", "--to", "2022"]
    # Runs alternate, and no copy is deleted until the end: creating files
    # costs more on this file system right after many were deleted.
    copies = [(fresh(f"run-{i}"), fresh(f"base-{i}")) for i in range(args.runs)]
    times, base_times = [], []
    migrated = None
    for run, b in copies:
        times.append(timed(migrate, run))
        tree = git(run, "rev-parse", "HEAD^{tree}")
        assert migrated in (None, tree)
        migrated = tree
        # The baseline: the same migrated tree, put in place in a copy,
        # committed with git.
        subprocess.run(["rsync", "-a", "--delete", "--exclude", ".git", run + "/", b + "/"], check=True)
        base_times.append(timed("git add -A && git commit -qm migrated", b, shell=True))
        assert git(b, "rev-parse", "HEAD^{tree}") == migrated
    first = copies[0][0]
    changed = len(git(first, "diff", "--name-only", before, "HEAD").splitlines())
    for run, b in copies[1:]:
        shutil.rmtree(run)
        shutil.rmtree(b)
    shutil.rmtree(copies[0][1])
    shutil.rmtree(repo)
    os.rename(first, repo)

    first_stale = timed(stale, repo)
    warm = statistics.median(timed(stale, repo) for _ in range(args.runs))
    m, b = statistics.median(times), statistics.median(base_times)
    print(f"median of {args.runs} runs; the migration changes {changed} files")
    print(f"{'measurement':52} {'time':>10} {'x baseline':>11}")
    print(f"{'baseline: git add -A && git commit (migrated tree)':52} {b * 1000:8.0f} ms {1:10.2f}x")
    print(f"{'isms migrate --to 2022':52} {m * 1000:8.0f} ms {m / b:10.2f}x  (target <= 3x)")
    print(f"{'isms stale after it, first run (1 new commit)':52} {first_stale * 1000:8.0f} ms")
    print(f"{'isms stale after it, warm':52} {warm * 1000:8.1f} ms  (target < 50 ms)")
    if not args.keep:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
