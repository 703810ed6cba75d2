"""Compare what two steplint installs print for the same inputs.

A refactor must not change behaviour, and a policy change must change it only where meant.
This runs two `steplint` executables over the same files with the commands users and CI rely
on (`check` in every output format, `show --format json`, `check --fix --unsafe-fixes --diff`)
and reports, per command, how many outputs (stdout, stderr and exit code) are identical.
`--severities` lists every finding whose severity changed between the two, the table a
closing note for a verdict change needs.

    python scripts/compare_installs.py OLD/bin/steplint NEW/bin/steplint [PATHS...]

Without PATHS it reads every config of the shared corpus (../shared/corpus) and the
project's examples/. The version string is masked, so two versions compare equal.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".sh", ".bash", ".slurm")
FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit")
VERSION = re.compile(r'(?P<key>"steplint": |"version": )"\d+\.\d+[^"]*"|(?P<word>steplint )\d+\.\d+[^\s,]*')


class Run(NamedTuple):
    code: int
    out: str
    err: str


def commands(path: str) -> dict[str, list[str]]:
    """The invocations compared for one input file."""
    out = {f"check:{fmt}": ["check", "--isolated", "--output-format", fmt, path] for fmt in FORMATS}
    out["show:json"] = ["show", "--isolated", "--format", "json", path]
    out["fix:diff"] = ["check", "--isolated", "--fix", "--unsafe-fixes", "--diff", path]
    return out


def run(exe: str, args: list[str]) -> Run:
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=120)
    return Run(done.returncode, _masked(done.stdout), _masked(done.stderr))


def _masked(text: str) -> str:
    """The version string replaced, JSON staying JSON."""
    return VERSION.sub(lambda m: f'{m["key"]}"VERSION"' if m["key"] else f"{m['word']}VERSION", text)


def corpus_paths() -> list[str]:
    found = []
    for base in (CORPUS, ROOT / "examples"):
        if base.is_dir():
            found += sorted(
                str(p) for p in base.rglob("*")
                if p.is_file() and p.suffix in SUFFIXES and p.name != "expected.json"
            )
    return found


def severities(run_: Run) -> dict[tuple[str, int, str], str]:
    """(file, line, code) -> severity of every finding in a JSON check output."""
    try:
        diagnostics = json.loads(run_.out)["diagnostics"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return {}
    return {(d["file"], d["line"], d["code"]): d["severity"] for d in diagnostics}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the first steplint executable")
    parser.add_argument("new", help="the second steplint executable")
    parser.add_argument("paths", nargs="*", help="input files (default: shared corpus + examples)")
    parser.add_argument("--severities", action="store_true", help="list findings whose severity changed")
    parser.add_argument("--diffs", type=int, default=3, help="how many differing outputs to print in full")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs at once")
    args = parser.parse_args(argv)
    paths = args.paths or corpus_paths()
    if not paths:
        print("no inputs: pass paths, or run beside ../shared/corpus", file=sys.stderr)
        return 2
    same: Counter[str] = Counter()
    differ: Counter[str] = Counter()
    shown = 0
    changes: list[str] = []
    jobs = [(path, name, argv_) for path in paths for name, argv_ in commands(path).items()]
    with ThreadPoolExecutor(args.jobs) as pool:
        olds = pool.map(lambda job: run(args.old, job[2]), jobs)
        news = pool.map(lambda job: run(args.new, job[2]), jobs)
        results = list(zip(jobs, olds, news))
    for (path, name, argv_), old, new in results:
        if old == new:
            same[name] += 1
            continue
        differ[name] += 1
        if shown < args.diffs:
            shown += 1
            print(f"--- {name} {path}: exit {old.code} -> {new.code}")
            for stream in ("out", "err"):
                a, b = getattr(old, stream), getattr(new, stream)
                if a != b:
                    sys.stdout.writelines(difflib.unified_diff(
                        a.splitlines(True), b.splitlines(True), f"old {stream}", f"new {stream}", n=1))
        if args.severities and name == "check:json":
            before, after = severities(old), severities(new)
            for key in sorted(set(before) | set(after)):
                a_sev, b_sev = before.get(key, "-"), after.get(key, "-")
                if a_sev != b_sev:
                    changes.append(f"{key[0]}:{key[1]} {key[2]}: {a_sev} -> {b_sev}")
    total_same, total_differ = sum(same.values()), sum(differ.values())
    for name in sorted(set(same) | set(differ)):
        print(f"{name:12} identical {same[name]:4}  different {differ[name]:4}")
    print(f"{total_same} of {total_same + total_differ} outputs identical over {len(paths)} files")
    if args.severities:
        print(f"\n{len(changes)} findings changed severity (file:line code: old -> new; '-' = absent)")
        print("\n".join(changes))
    return 0 if total_differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
