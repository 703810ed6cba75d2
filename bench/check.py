#!/usr/bin/env python3
"""`steplint check` against `yamllint` on the same YAML files, measured side by side.

Budgets (architecture.md section 7): one file no slower than yamllint; 1,000 files in one
call at most 0.3x yamllint's time, with steplint's peak memory under 64 MiB (the RSS of the
child process, from resource.getrusage(RUSAGE_CHILDREN).ru_maxrss in a fresh wrapper
process, so no other child counts). yamllint runs with `-d relaxed`, as a pre-commit user
would, and steplint without flags, settings discovery included, as the acceptance check
runs it; both commands alternate so drift on the machine hits both alike. The children's
CPU time (user + system) is printed too: on a shared machine it drifts less than wall time.

Inputs: the YAML configs of ../shared/corpus/configs when present, else examples/ and
tests/fixtures/check; the 1,000 files are copies of those, cycled.

Usage: python bench/check.py [--runs 7] [--runs-many 3] [--files 1000] [--steplint PATH]

Before/after (a change's effect on start-up): `--before PATH --after PATH` times a one-file
check with two installs' `steplint` executables (e.g. main's in one venv, a branch's in
another), interleaved with yamllint, the order rotating each round; it prints the medians
of CPU time (user + system of the child, what a loaded machine disturbs least) and wall
time, and the after/before ratios. `--file PATH` (repeatable) picks the inputs.

    python bench/check.py --before /tmp/base/bin/steplint --after .venv/bin/steplint --runs 31
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO_ROOT, steplint_command  # bench/ is on sys.path when its scripts run

SHARED_CONFIGS = REPO_ROOT.parent / "shared" / "corpus" / "configs"
ONE_FILE_BUDGET, MANY_FILES_BUDGET, MEMORY_BUDGET_MIB = 1.0, 0.3, 64

# Runs `argv[1:]`, then prints the child's peak RSS in KiB (Linux ru_maxrss unit).
_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def yamllint_beside(executable: str) -> str | None:
    """The yamllint of the same environment, so both start the same way (a pyenv shim on
    PATH is a shell script that would slow yamllint down, not steplint)."""
    sibling = Path(executable).parent / "yamllint"
    return str(sibling) if sibling.exists() else shutil.which("yamllint")


def inputs() -> list[Path]:
    if SHARED_CONFIGS.is_dir():
        found = sorted(p for p in SHARED_CONFIGS.rglob("*") if p.suffix in (".yaml", ".yml"))
        if found:
            return found
    return sorted((REPO_ROOT / "examples").glob("*.yaml")) + sorted((REPO_ROOT / "tests" / "fixtures" / "check").glob("*.yaml"))


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall time and the child's CPU time (user + system), in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def side_by_side(a: list[str], b: list[str], env: dict, runs: int) -> tuple[float, float, float, float]:
    """Medians: a's wall, b's wall, a's CPU, b's CPU."""
    runs_a, runs_b = [], []
    for _ in range(runs):
        runs_a.append(timed(a, env))
        runs_b.append(timed(b, env))
    return (statistics.median(w for w, _ in runs_a), statistics.median(w for w, _ in runs_b),
            statistics.median(c for _, c in runs_a), statistics.median(c for _, c in runs_b))


def interleaved(commands: dict[str, list[str]], env: dict, runs: int) -> dict[str, tuple[float, float]]:
    """name -> (median wall, median CPU) over `runs` rounds; each round runs every command
    once, the order rotating by one each round so none always runs first (a cold cache) or
    right after another. A run that exits other than 0 or 1 stops the benchmark."""
    names = list(commands)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for i in range(runs):
        for name in names[i % len(names):] + names[:i % len(names)]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(commands[name], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode not in (0, 1):
                sys.exit(f"{' '.join(commands[name])} exited {done.returncode}: "
                         f"{done.stderr.decode(errors='replace').strip()[:200]}")
            samples[name].append((elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)))
    return {name: (statistics.median(w for w, _ in runs_), statistics.median(c for _, c in runs_))
            for name, runs_ in samples.items()}


def before_after(before: str, after: str, yamllint: str | None, files: list[str], runs: int, as_json: bool) -> int:
    """One-file start-up of two installs side by side (see the module docstring)."""
    env = dict(os.environ)
    results = []
    for one in files:
        commands = {"before": [before, "check", one], "after": [after, "check", one]}
        if yamllint:
            commands["yamllint"] = [yamllint, "-d", "relaxed", one]
        m = interleaved(commands, env, runs)
        row = {"input": one, "runs": runs,
               **{f"{name}_wall_s": m[name][0] for name in m}, **{f"{name}_cpu_s": m[name][1] for name in m},
               "cpu_ratio": m["after"][1] / m["before"][1], "wall_ratio": m["after"][0] / m["before"][0]}
        results.append(row)
    if as_json:
        print(json.dumps({"before": before, "after": after, "results": results}, indent=2))
        return 0
    print(f"before: {before}\nafter:  {after}\nmedians of {runs} interleaved rounds (CPU = user + system of the child)")
    for row in results:
        yl = (f"  yamllint CPU {row['yamllint_cpu_s'] * 1000:5.1f} wall {row['yamllint_wall_s'] * 1000:5.1f}"
              if "yamllint_cpu_s" in row else "")
        print(f"{row['input']}\n  CPU  before {row['before_cpu_s'] * 1000:5.1f} ms  after {row['after_cpu_s'] * 1000:5.1f} ms  "
              f"after/before {row['cpu_ratio']:.3f}\n"
              f"  wall before {row['before_wall_s'] * 1000:5.1f} ms  after {row['after_wall_s'] * 1000:5.1f} ms  "
              f"after/before {row['wall_ratio']:.3f}\n{yl}".rstrip())
    return 0


def peak_rss_mib(cmd: list[str], env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, *cmd], capture_output=True, text=True, env=env)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--runs-many", type=int, default=3)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--steplint")
    parser.add_argument("--yamllint", help="default: the yamllint beside the steplint used, else on PATH")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--before", help="a steplint executable (the install before a change): time it against --after")
    parser.add_argument("--after", help="a steplint executable (the install after the change)")
    parser.add_argument("--file", action="append", help="with --before/--after: the input (repeatable; default the first corpus config)")
    args = parser.parse_args()

    if args.before or args.after:
        if not (args.before and args.after):
            parser.error("--before and --after go together")
        yamllint = args.yamllint or yamllint_beside(args.after)
        return before_after(args.before, args.after, yamllint, args.file or [str(inputs()[0])], args.runs, args.json)

    steplint, env = steplint_command(args.steplint)
    yamllint = args.yamllint or yamllint_beside(steplint[0])
    if yamllint is None:
        print("bench/check.py: yamllint is not installed (pip install yamllint)", file=sys.stderr)
        return 2
    files = inputs()
    one = str(files[0])
    s1, y1, s1_cpu, y1_cpu = side_by_side([*steplint, "check", one], [yamllint, "-d", "relaxed", one], env, args.runs)

    tmp = Path(tempfile.mkdtemp(prefix="steplint-bench-"))
    try:
        for i in range(args.files):
            src = files[i % len(files)]
            shutil.copy(src, tmp / f"c{i:04d}{src.suffix}")
        many = sorted(str(p) for p in tmp.iterdir())
        sN, yN, sN_cpu, yN_cpu = side_by_side([*steplint, "check", *many], [yamllint, "-d", "relaxed", *many], env,
                                              args.runs_many)
        rss = peak_rss_mib([*steplint, "check", *many], env)
    finally:
        shutil.rmtree(tmp)

    result = {
        "input": one, "one_file_s": s1, "one_file_yamllint_s": y1, "one_file_ratio": s1 / y1,
        "one_file_cpu_ratio": s1_cpu / y1_cpu,
        "files": args.files, "many_files_s": sN, "many_files_yamllint_s": yN, "many_files_ratio": sN / yN,
        "many_files_cpu_ratio": sN_cpu / yN_cpu,
        "peak_rss_mib": rss,
    }
    ok = result["one_file_ratio"] <= ONE_FILE_BUDGET and result["many_files_ratio"] <= MANY_FILES_BUDGET and rss < MEMORY_BUDGET_MIB
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"one file     steplint {s1 * 1000:6.0f} ms  yamllint {y1 * 1000:6.0f} ms  ratio {s1 / y1:.2f} "
              f"(budget <= {ONE_FILE_BUDGET}; CPU ratio {s1_cpu / y1_cpu:.2f})")
        print(f"{args.files} files  steplint {sN:6.2f} s   yamllint {yN:6.2f} s   ratio {sN / yN:.2f} "
              f"(budget <= {MANY_FILES_BUDGET}; CPU ratio {sN_cpu / yN_cpu:.2f})")
        print(f"peak memory  steplint {rss:.1f} MiB on {args.files} files (budget < {MEMORY_BUDGET_MIB} MiB)")
        print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
