#!/usr/bin/env python3
"""Wall time of `steplint predict` as a ratio to bare `python -c pass`, measured in the same run.

The budget (architecture.md section 7) is 10x: Step Law's own `fit_tool.py pred-opt-lr-bs` took
about 540x `python -c pass` (docs prior-art.md section 1.2), and steplint must be at least 50x
faster. Runs alternate between the two commands so drift on the machine hits both alike.

Usage: python bench/predict.py [--runs 21] [--steplint PATH]
Without --steplint it uses the `steplint` on PATH, else `python -m steplint` from this checkout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
QUERY = ["predict", "--params", "7e9", "--tokens", "1.4e12"]
BUDGET = 10.0


def steplint_command(explicit: str | None) -> tuple[list[str], dict]:
    env = dict(os.environ)
    if explicit:
        return [explicit], env
    found = shutil.which("steplint")
    if found:
        return [found], env
    env["PYTHONPATH"] = str(REPO_ROOT / "src")
    return [sys.executable, "-m", "steplint"], env


def wall(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode(errors='replace').strip()[:200]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--steplint", help="path of the steplint executable to time")
    args = parser.parse_args(argv)
    steplint, env = steplint_command(args.steplint)
    baseline_cmd = [sys.executable, "-c", "pass"]
    predict_cmd = [*steplint, *QUERY]
    wall(baseline_cmd, env), wall(predict_cmd, env)  # warm the file cache
    baseline, predict = [], []
    for _ in range(args.runs):
        baseline.append(wall(baseline_cmd, env))
        predict.append(wall(predict_cmd, env))
    b, p = statistics.median(baseline), statistics.median(predict)
    ratio = p / b
    print(f"python -c pass: {b * 1000:.1f} ms   steplint {' '.join(QUERY)}: {p * 1000:.1f} ms   "
          f"(median of {args.runs})")
    print(f"ratio {ratio:.2f}x (budget {BUDGET:g}x): {'ok' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
