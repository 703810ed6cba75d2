#!/usr/bin/env python3
"""`steplint show` against `yamllint` on the same config, measured side by side.

Budget (architecture.md section 7, issue 4): `steplint show` on one config takes no more
wall time than `yamllint` on the same file. Both commands alternate, so drift on the
machine hits both alike; the ratio of the medians is printed per case. `show` does the
whole job: load, detect, extract, count N, derive the recipe and place it against Step
Law. yamllint runs with `-d relaxed`, as a pre-commit user would.

Cases (default): a lone config.json (the budget applies), and an args YAML whose
`deepspeed:` and `config_name` make `show` read three files while yamllint reads one
(reported for information).

Usage: python bench/show.py [--runs 21] [--file PATH]... [--steplint PATH] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

from _common import REPO_ROOT, steplint_command, wall  # bench/ is on sys.path when its scripts run
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "hf"
DEFAULT_FILES = (FIXTURES / "tiny-llama" / "config.json", FIXTURES / "pretrain.yaml")
BUDGET = 1.0


def measure(path: Path, runs: int, steplint: list[str], env: dict, yamllint: str) -> dict:
    show_cmd = steplint + ["show", str(path), "--world-size", "16", "--isolated"]
    lint_cmd = [yamllint, "-d", "relaxed", str(path)]
    wall(show_cmd, env), wall(lint_cmd, env)  # warm the file cache and .pyc files
    show_times, lint_times = [], []
    for _ in range(runs):
        show_times.append(wall(show_cmd, env))
        lint_times.append(wall(lint_cmd, env))
    show_med, lint_med = statistics.median(show_times), statistics.median(lint_times)
    return {"file": str(path), "runs": runs, "steplint_show_s": show_med, "yamllint_s": lint_med,
            "ratio": show_med / lint_med}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--file", type=Path, action="append", help="config to time (repeatable)")
    parser.add_argument("--steplint", help="steplint executable (default: PATH, else this checkout)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    yamllint = shutil.which("yamllint")
    if yamllint is None:
        print("yamllint is not installed (pip install yamllint)", file=sys.stderr)
        return 2
    steplint, env = steplint_command(args.steplint)
    results = [measure(path, args.runs, steplint, env, yamllint) for path in (args.file or DEFAULT_FILES)]
    if args.json:
        print(json.dumps({"budget": BUDGET, "results": results}, indent=2))
    else:
        for r in results:
            print(f"{Path(r['file']).name:>16}: steplint show {r['steplint_show_s'] * 1000:.1f} ms   yamllint "
                  f"{r['yamllint_s'] * 1000:.1f} ms   ratio {r['ratio']:.2f} (median of {r['runs']})")
        print(f"budget: ratio <= {BUDGET:.1f} for one config (the first case)")
    return 0 if results[0]["ratio"] <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
