#!/usr/bin/env python3
"""Benchmark `isms check` on the reference repository of DESIGN §9.

Generates 50 services x 150 applicable matrix controls (7,500 allocations)
and 5,000 evidence records (each with a small artifact) with `isms init` as
the base, commits it, then measures in the same run:

  baseline   git ls-files -z | xargs -0 cat > /dev/null
  full       isms check
  staged     isms check --staged, with one allocation changed and staged

Each figure is the median wall time of --runs runs after one warm-up; ratios
are against the baseline. Targets: full < 1 s, staged <= 30 ms; `git commit`
with the installed hooks at most 1.5x `git commit --no-verify`.

Usage: bench/bench.py [--runs N] [--keep DIR] [--isms PATH]
"""

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICES = 50
MATRIX_CONTROLS = 150
EVIDENCE = 5000
ENV = dict(
    os.environ,
    GIT_AUTHOR_NAME="Bench",
    GIT_AUTHOR_EMAIL="bench@example.com",
    GIT_COMMITTER_NAME="Bench",
    GIT_COMMITTER_EMAIL="bench@example.com",
    GIT_CONFIG_GLOBAL="/dev/null",
    GIT_CONFIG_NOSYSTEM="1",
    # No background `git gc --auto` while a run is timed or a copy is made.
    GIT_CONFIG_COUNT="1",
    GIT_CONFIG_KEY_0="gc.auto",
    GIT_CONFIG_VALUE_0="0",
)


def sh(args, cwd, **kw):
    return subprocess.run(args, cwd=cwd, env=ENV, check=True, **kw)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def generate(isms, repo, edition="2022", synthetic=True, scale=1):
    """The reference repository in `edition`'s numbering; with `synthetic`,
    controls of a framework of its own bring the matrix to 150 controls;
    `scale` multiplies the services and the evidence records."""
    sh([isms, "init", repo, "--org", "Bench Cloud", "--role", "both", "--edition", edition], cwd=ROOT, stderr=subprocess.DEVNULL)
    # Every catalog control becomes a matrix control, plus synthetic ones up to 150.
    controls = []
    for name in sorted(os.listdir(os.path.join(repo, "controls"))):
        path = os.path.join(repo, "controls", name)
        text = open(path, encoding="utf-8").read().replace('justification = ""', 'justification = "In scope for Bench Cloud."')
        write(path, text)
        if "matrix = false" in text:
            text = text.replace("matrix = false", "matrix = true").replace(
                "\n[soa]", '\ndefault_party = { iaas = "customer", paas = "shared", saas = "provider" }\n\n[soa]'
            )
            write(path, text)
        controls.append(name[: -len(".toml")])
    for i in range(MATRIX_CONTROLS - len(controls) if synthetic else 0):
        cid = f"BENCH.{i + 1}"
        write(
            os.path.join(repo, "controls", f"{cid}.toml"),
            f'id = "{cid}"\ntitle = "Synthetic control {i + 1}"\nframework = "bench"\nowner = "isms-owner"\n'
            'matrix = true\n\n[soa]\napplicable = true\njustification = "Bench."\nstatus = "implemented"\n',
        )
        controls.append(cid)
    assert len(controls) == MATRIX_CONTROLS or not synthetic
    services = SERVICES * scale
    for s in range(services):
        sid = f"svc-{s:02d}"
        write(
            os.path.join(repo, "services", f"{sid}.toml"),
            f'id = "{sid}"\nname = "Service {s}"\nrole = "provider"\nmodel = "saas"\nprovider = "Bench Cloud"\n'
            f'regions = ["eu-west-1"]\ndata = ["customer-data"]\nowner = "isms-owner"\n',
        )
        for cid in controls:
            write(
                os.path.join(repo, "responsibilities", sid, f"{cid}.toml"),
                f'#:schema ../../.isms/schemas/allocation.json\nservice = "{sid}"\ncontrol = "{cid}"\nparty = "shared"\n'
                f'provider = "Bench Cloud operates {cid} for service {s}."\n'
                f'customer = "Tenants configure {cid} for their own accounts on service {s}."\n'
                'justification = ""\nowner = "isms-owner"\n',
            )
    for e in range(EVIDENCE * scale):
        eid = f"ev-{e:05d}"
        body = f"Evidence {e}: review record for bench.\n" * 5
        digest = hashlib.sha256(body.encode()).hexdigest()
        write(os.path.join(repo, "evidence", "files", f"{eid}.txt"), body)
        write(
            os.path.join(repo, "evidence", f"{eid}.toml"),
            f'id = "{eid}"\ntitle = "Evidence {e}"\ncontrols = ["{controls[e % len(controls)]}"]\n'
            f'services = ["svc-{e % services:02d}"]\nkind = "log-review"\ncollected = 2026-10-01\n'
            f'collected_by = "isms-owner"\nvalid_for = "1y"\n\n[[artifacts]]\npath = "files/{eid}.txt"\n'
            f'sha256 = "{digest}"\n',
        )
    sh(["git", "add", "--all"], cwd=repo)
    sh(["git", "commit", "-q", "-m", "reference repository"], cwd=repo)


def measure(cmd, cwd, runs, shell=False, expect=0):
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        r = subprocess.run(cmd, cwd=cwd, env=ENV, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if r.returncode != expect:
            sys.exit(f"{cmd}: exit {r.returncode}\n{r.stderr.decode()}")
        if i > 0:  # the first run warms the page cache
            times.append(elapsed)
    return statistics.median(times)


def commit_with_and_without_hooks(isms, repo, path, runs):
    """`git commit` of one staged change, with the installed hooks and with
    --no-verify, interleaved: (no-verify, with hooks) medians."""
    env = dict(ENV, ISMS=isms)
    times = {False: [], True: []}
    for i in range(runs + 1):
        for hooks in (False, True):
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"# commit {i} {hooks}\n")
            subprocess.run(["git", "add", path], cwd=repo, env=env, check=True)
            cmd = ["git", "commit", "-q", "-m", f"bench commit {i}"] + ([] if hooks else ["--no-verify"])
            start = time.perf_counter()
            subprocess.run(cmd, cwd=repo, env=env, check=True, stderr=subprocess.DEVNULL)
            if i > 0:
                times[hooks].append(time.perf_counter() - start)
    return statistics.median(times[False]), statistics.median(times[True])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--keep", help="generate the repository here and keep it")
    ap.add_argument("--isms", help="the isms binary (default: build with cargo --release)")
    args = ap.parse_args()
    isms = args.isms
    if not isms:
        sh(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
        isms = os.path.join(ROOT, "target", "release", "isms")
    isms = os.path.abspath(isms)
    base = args.keep or tempfile.mkdtemp(prefix="isms-bench-")
    repo = os.path.join(base, "ref")
    if os.path.exists(repo):
        shutil.rmtree(repo)
    t0 = time.perf_counter()
    generate(isms, repo)
    files = len(subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True).stdout.splitlines())
    print(f"reference repository: {SERVICES} services x {MATRIX_CONTROLS} controls = {SERVICES * MATRIX_CONTROLS} allocations, "
          f"{EVIDENCE} evidence records, {files} files (generated in {time.perf_counter() - t0:.1f} s)")

    baseline = measure("git ls-files -z | xargs -0 cat > /dev/null", repo, args.runs, shell=True)
    full = measure([isms, "check"], repo, args.runs)
    one = os.path.join(repo, "responsibilities", "svc-07", "CLD.9.5.1.toml")
    with open(one, "a", encoding="utf-8") as f:
        f.write("# reviewed in bench\n")
    sh(["git", "add", one], cwd=repo)
    staged = measure([isms, "check", "--staged"], repo, args.runs)
    # The pre-commit hook end to end: the installed script, finding isms.
    sh([isms, "hooks", "install"], cwd=repo)
    hook_env = f"ISMS={isms} sh .git/hooks/pre-commit"
    hook = measure(hook_env, repo, args.runs, shell=True)
    no_verify, with_hooks = commit_with_and_without_hooks(isms, repo, one, args.runs)

    rows = [
        ("baseline: git ls-files | xargs cat", baseline, None),
        ("isms check (full)", full, 1.0),
        ("isms check --staged (1 file changed)", staged, 0.03),
        ("pre-commit hook (1 file changed)", hook, 0.15),
    ]
    print(f"median of {args.runs} runs")
    print(f"git commit of one staged allocation: --no-verify {no_verify * 1000:.1f} ms, with the installed hooks "
          f"{with_hooks * 1000:.1f} ms = {with_hooks / no_verify:.2f}x (target <= 1.5x)")
    print(f"{'measurement':40} {'time':>10} {'x baseline':>11} {'target':>8}")
    ok = True
    for name, t, target in rows:
        verdict = "" if target is None else ("ok" if t < target else "MISSED")
        ok &= verdict != "MISSED"
        print(f"{name:40} {t * 1000:8.1f} ms {t / baseline:10.2f}x {'' if target is None else f'<{target * 1000:.0f} ms':>8} {verdict}")
    if not args.keep:
        shutil.rmtree(base)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
