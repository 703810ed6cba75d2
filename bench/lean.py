#!/usr/bin/env python3
"""The three CPU ratios of issue 15 item 3, side by side in one run (CPU time of the
children, user + system, alternating runs, medians; a shared machine disturbs CPU time
less than wall time):

1. one YAML check (`steplint check --isolated examples/megatron_gpt_800m.yaml`) against
   `yamllint -d relaxed` on the same file: goal <= 0.8x;
2. 1,000 corpus configs in one call against yamllint on the same files: goal <= 0.12x;
3. the same 1,000 files against the floor: a loop that only composes them with PyYAML's
   C loader (`yaml.compose(text, Loader=CSafeLoader)`), the least any tool reading them
   with PyYAML does; steplint's `--version` start-up is paired with the floor's. Goal <= 3x.

Then, for where the time of (3) goes, one child process times in-process (CPU, median of
`--runs-many`) over the same files: composing alone, and steplint's YAML loading
(`parse_yaml`: checks, compose, conversion to steplint's nodes, comments). The rest of a
check (dialects, rules, laws, report) is the difference to (3).

It mirrors ../shared/acceptance/perf-lean (which runs the installed package), reads
../shared/corpus/configs when present (else examples/ and tests/fixtures/check), and
uses the `steplint` on PATH, else this checkout.

    python bench/lean.py [--runs 15] [--runs-many 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, perf_lean_layout, steplint_command  # noqa: E402
from check import inputs, timed, yamllint_beside  # noqa: E402

FLOOR = ("import sys, yaml\nfor f in sys.argv[1:]:\n"
         "    yaml.compose(open(f, encoding='utf-8').read(), Loader=yaml.CSafeLoader)\n")

# In-process split of the loading cost; prints JSON {"compose": s, "load": s}. The gen-0
# threshold is the one `steplint.cli.main` sets, so collections cost what they cost there.
PHASES = """
import gc, json, statistics, sys, time, yaml
gc.set_threshold(100_000, 50, 100)
from steplint.documents.yaml_loader import parse_yaml
files, runs = sys.argv[2:], int(sys.argv[1])
texts = [open(f, encoding="utf-8").read() for f in files]
def compose():
    for text in texts:
        yaml.compose(text, Loader=yaml.CSafeLoader)
def load():
    for name, text in zip(files, texts):
        parse_yaml(name, text)
out = {}
for _ in range(runs):
    for name, job in (("compose", compose), ("load", load)):
        start = time.process_time()
        job()
        out.setdefault(name, []).append(time.process_time() - start)
print(json.dumps({name: statistics.median(times) for name, times in out.items()}))
"""


def paired(a: list[str], b: list[str], env: dict, runs: int) -> tuple[float, float]:
    ra, rb = [], []
    for _ in range(runs):
        ra.append(timed(a, env)[1])
        rb.append(timed(b, env)[1])
    return statistics.median(ra), statistics.median(rb)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--runs-many", type=int, default=3)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--steplint")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    steplint, env = steplint_command(args.steplint)
    yamllint = yamllint_beside(steplint[0])
    if yamllint is None:
        print("bench/lean.py: yamllint is not installed", file=sys.stderr)
        return 2
    python = str(Path(steplint[0]).parent / "python") if Path(steplint[0]).parent.joinpath("python").exists() \
        else sys.executable
    one = str(REPO_ROOT / "examples" / "megatron_gpt_800m.yaml")
    c1, y1 = paired([*steplint, "check", "--isolated", one], [yamllint, "-d", "relaxed", one], env, args.runs)
    files = inputs()
    tmp = Path(tempfile.mkdtemp(prefix="steplint-lean-"))
    try:
        many = perf_lean_layout(files, args.files, tmp)
        floor = tmp / "floor.py"
        floor.write_text(FLOOR)
        cN, yN = paired([*steplint, "check", "--isolated", "--exit-zero", *many], [yamllint, "-d", "relaxed", *many],
                        env, args.runs_many)
        start, fN = paired([*steplint, "--version"], [python, str(floor), *many], env, args.runs_many)
        done = subprocess.run([python, "-c", PHASES, str(args.runs_many), *many], capture_output=True, text=True,
                              env=env)
        phases = json.loads(done.stdout) if done.returncode == 0 else {}
    finally:
        shutil.rmtree(tmp)
    result = {"one_file_cpu_s": c1, "one_file_yamllint_cpu_s": y1, "one_file_ratio": c1 / y1,
              "files": args.files, "many_cpu_s": cN, "many_yamllint_cpu_s": yN, "many_ratio": cN / yN,
              "floor_cpu_s": fN, "startup_cpu_s": start, "floor_ratio": cN / fN,
              "compose_in_process_cpu_s": phases.get("compose"), "load_in_process_cpu_s": phases.get("load")}
    ok = result["one_file_ratio"] <= 0.8 and result["many_ratio"] <= 0.12 and result["floor_ratio"] <= 3.0
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"one file      {c1 * 1000:6.0f} ms CPU vs yamllint {y1 * 1000:6.0f} ms: {c1 / y1:.2f}x (goal <= 0.8x)")
        print(f"{args.files} files   {cN:6.2f} s CPU vs yamllint {yN:6.2f} s: {cN / yN:.3f}x (goal <= 0.12x)")
        print(f"{args.files} files   {cN:6.2f} s CPU vs compose-only floor {fN:.2f} s: {cN / fN:.2f}x (goal <= 3x)")
        if phases:
            print(f"  of which, in process: steplint's YAML loading {phases['load']:.2f} s, composing alone "
                  f"{phases['compose']:.2f} s (conversion and checks {phases['load'] - phases['compose']:.2f} s); "
                  f"the rest of the check about {cN - start - phases['load']:.2f} s")
        print("within the goals" if ok else "NOT within the goals")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
