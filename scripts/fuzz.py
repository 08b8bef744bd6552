#!/usr/bin/env python3
"""Bad input, at random: break one item file of an example repository, then
run the commands a user runs on it, and report any that panics, hangs, says
"internal error" or exits with a status other than 0, 1 or 2.

    python3 scripts/fuzz.py [--seed N] [--trials N] [--isms PATH]

Each trial copies a fresh `isms init --example` repository, mutates one of
its TOML files (a value swapped for one of a wrong type or shape, the file
cut short, a stray table or key, random bytes, deeply nested arrays, a key
removed), commits the change half of the time (`--no-verify`), breaks the
report tables that `import` takes back (a cell swapped, a row cut short or
doubled, a column dropped or added, random bytes), and runs every command
below. Exit 1 if any trial went wrong, each printed.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

COMMANDS = [
    ["check"],
    ["check", "--staged"],
    ["stale"],
    ["status"],
    ["report", "soa"],
    ["report", "matrix", "--format", "json"],
    ["report", "evidence", "--format", "csv"],
    ["report", "findings"],
    ["report", "allocations", "--format", "csv"],
    ["log"],
    ["log", "--format", "csv"],
    ["show", "8.15"],
    ["show", "payments-api", "--format", "json"],
    ["diff", "--since", "2026-01-01"],
    ["triggers", "detect", "HEAD~1", "HEAD"],
    ["diff", "HEAD~1"],
    ["diff", "--uncommitted"],
    ["diff", "HEAD~1", "--uncommitted", "--format", "json"],
    ["site", "--out", "{tmp}/site"],
    ["export", "oscal", "--out", "{tmp}/oscal"],
    ["codeowners"],
    ["new", "allocation", "--missing"],
    ["review", "control:5.1", "--dry-run"],
    ["reassign", "platform", "dave", "--dry-run"],
    ["reassign", "bob", "carol"],
    ["rename", "service", "payments-api", "payments", "--dry-run"],
    ["rename", "service", "tenant-db", "tenants"],
    ["close", "2026-003", "--dry-run"],
    ["close", "2026-003", "--on", "2026-11-30"],
    ["import", "allocations", "{tmp}/allocations.csv", "--dry-run"],
    ["import", "soa", "{tmp}/soa.csv"],
]

# The tables `import` takes, as `report --format csv` writes them, broken as
# a spreadsheet or a hand edit breaks them.
TABLES = {"allocations.csv": ["report", "allocations", "--format", "csv"],
          "soa.csv": ["report", "soa", "--format", "csv"]}

CELLS = ['', '"', '""', 'a,b', '"a,b"', '\r', '5.1', '5.10', 'yes', 'maybe',
         'shared', 'sharde', 'TRUE', 'not-applicable', '=1+1', '💥', 'bob',
         'nobody', ' ', '\ufeff', 'a\nb', '"unclosed']

VALUES = [
    '""', "0", "-1", "99999999999999999999", "true", "[]", "[[]]", "{}",
    "{a=1}", '"\\u0000"', '"TODO"', "1979-05-27", '"2026-02-30"',
    '"💥💥💥"', '[1,"a"]', '"../../etc/passwd"', '"a\\nb"', "nan", "inf",
    '"5.1"', '["5.1","5.1"]', '"   "',
]

STRAY = ["[soa]", "[[x]]", "x = 1", "[soa.x]", 'owner = "alice"', "= 3",
         '"a" = ', "\x01\x02", "[people.zed]"]


def mutate(rng: random.Random, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    kind = rng.randrange(6)
    keyed = [i for i, line in enumerate(lines) if "=" in line and not line.startswith("#")]
    if kind == 0 and keyed:
        i = rng.choice(keyed)
        lines[i] = lines[i].split("=")[0] + "= " + rng.choice(VALUES)
    elif kind == 1:
        lines = lines[: rng.randrange(len(lines) + 1)]
    elif kind == 2:
        lines.insert(rng.randrange(len(lines)), rng.choice(STRAY))
    elif kind == 3:
        data = bytearray(path.read_bytes())
        for _ in range(3 if data else 0):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        return
    elif kind == 4:
        lines = ["x = " + "[" * rng.choice([10, 200, 5000])]
    elif keyed:
        del lines[rng.choice(keyed)]
    path.write_text("\n".join(lines), encoding="utf-8")


def mutate_table(rng: random.Random, text: str) -> bytes:
    lines = text.split("\n")
    kind = rng.randrange(6)
    if kind == 0 and len(lines) > 1:
        i = rng.randrange(len(lines))
        cells = lines[i].split(",")
        cells[rng.randrange(len(cells))] = rng.choice(CELLS)
        lines[i] = ",".join(cells)
    elif kind == 1:
        lines = lines[: rng.randrange(len(lines) + 1)]
    elif kind == 2:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif kind == 3:
        data = bytearray(text.encode("utf-8"))
        for _ in range(3 if data else 0):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    elif kind == 4:
        head = lines[0].split(",")
        del head[rng.randrange(len(head))]
        lines[0] = ",".join(head)
    else:
        lines = [line + "," + rng.choice(CELLS) for line in lines]
    return "\n".join(lines).encode("utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--isms", default=shutil.which("isms") or "isms")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="isms-fuzz-"))
    env = dict(os.environ, HOME=str(tmp), NO_COLOR="1",
               GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="Fuzz", GIT_AUTHOR_EMAIL="fuzz@example.com",
               GIT_COMMITTER_NAME="Fuzz", GIT_COMMITTER_EMAIL="fuzz@example.com")
    base = tmp / "base"
    subprocess.run([args.isms, "init", "--example", str(base)], env=env,
                   check=True, capture_output=True)
    tables = {name: subprocess.run([args.isms, *cmd], cwd=base, env=env, check=True,
                                   capture_output=True).stdout.decode("utf-8")
              for name, cmd in TABLES.items()}
    bad = 0
    try:
        for trial in range(args.trials):
            repo = tmp / "repo"
            for d in (repo, tmp / "site", tmp / "oscal"):
                shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(base, repo, symlinks=True)
            files = sorted(p for p in repo.rglob("*.toml") if ".git" not in p.parts)
            target = rng.choice(files)
            mutate(rng, target)
            if rng.random() < 0.5:
                subprocess.run(["git", "add", "-A"], cwd=repo, env=env, capture_output=True)
                subprocess.run(["git", "commit", "-qm", "fuzz", "--no-verify"],
                               cwd=repo, env=env, capture_output=True)
            rel = target.relative_to(repo)
            for name, text in tables.items():
                (tmp / name).write_bytes(mutate_table(rng, text))
            for cmd in COMMANDS:
                cmd = [c.replace("{tmp}", str(tmp)) for c in cmd]
                try:
                    p = subprocess.run([args.isms, *cmd], cwd=repo, env=env,
                                       capture_output=True, timeout=60)
                except subprocess.TimeoutExpired:
                    print(f"trial {trial}: {rel}: isms {' '.join(cmd)}: no answer in 60 s")
                    bad += 1
                    continue
                err = p.stderr.decode("utf-8", "replace")
                if (p.returncode not in (0, 1, 2) or "panicked" in err
                        or "internal error" in err or "RUST_BACKTRACE" in err):
                    print(f"trial {trial}: {rel}: isms {' '.join(cmd)}: exit {p.returncode}\n{err[:600]}")
                    bad += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.trials} trials, {len(COMMANDS)} commands each: {bad} went wrong")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
