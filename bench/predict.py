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
import statistics
import sys

from _common import steplint_command, wall  # bench/ is on sys.path when its scripts run
QUERY = ["predict", "--params", "7e9", "--tokens", "1.4e12"]
BUDGET = 10.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--steplint", help="path of the steplint executable to time")
    args = parser.parse_args(argv)
    steplint, env = steplint_command(args.steplint)
    baseline_cmd = [sys.executable, "-c", "pass"]
    predict_cmd = [*steplint, *QUERY]
    wall(baseline_cmd, env, ok_codes=(0,)), wall(predict_cmd, env, ok_codes=(0,))  # warm the file cache
    baseline, predict = [], []
    for _ in range(args.runs):
        baseline.append(wall(baseline_cmd, env, ok_codes=(0,)))
        predict.append(wall(predict_cmd, env, ok_codes=(0,)))
    b, p = statistics.median(baseline), statistics.median(predict)
    ratio = p / b
    print(f"python -c pass: {b * 1000:.1f} ms   steplint {' '.join(QUERY)}: {p * 1000:.1f} ms   "
          f"(median of {args.runs})")
    print(f"ratio {ratio:.2f}x (budget {BUDGET:g}x): {'ok' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
