#!/usr/bin/env python3
"""Time and peak memory of reading each hostile input, one fresh process per file.

The files are tests/fixtures/documents/hostile/* (alias bomb, 10,000-deep brackets, a
python tag, truncated YAML, duplicate keys, NaN, invalid UTF-8, a 400-digit integer, tabs,
an empty file, a list root, a repeated TOML table, ...) plus a file over the 10 MiB size
cap written here. For each, a child process times `load_document` and records its peak
Python allocation (tracemalloc) and the process's peak RSS (interpreter included), and
prints the one finding it got. Budget (issue 4): each well under 1 s and 64 MiB.

With --cli it times `steplint check FILE` end to end instead (wall time and peak RSS of
that process, and its exit code; a traceback fails the run).

Usage: python bench/hostile.py [--cli] [--steplint PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
HOSTILE = REPO_ROOT / "tests" / "fixtures" / "documents" / "hostile"
BUDGET_SECONDS = 1.0
BUDGET_BYTES = 64 * 1024 * 1024

# runs in the child: load one file, report time, tracemalloc peak and findings as JSON
CHILD = """
import json, sys, time, tracemalloc
from steplint.documents import json_loader, toml_loader, yaml_loader  # imports are not the load
from steplint.documents.load import load_document
tracemalloc.start()
start = time.perf_counter()
doc = load_document(sys.argv[1])
elapsed = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"seconds": elapsed, "traced": peak,
                  "findings": [f"{d.code} {d.line}:{d.column}" for d in doc.diagnostics]}))
"""


def run(cmd: list[str], env: dict) -> tuple[int, str, str, float, int]:
    """Exit code, stdout, stderr, wall seconds and peak RSS in bytes of one child."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        return os.waitstatus_to_exitcode(status), stdout, stderr, elapsed, usage.ru_maxrss * 1024


def cases(scratch: Path) -> list[Path]:
    oversize = scratch / "oversize.yaml"
    with open(oversize, "wb") as handle:
        handle.write(b"a: 1\n" * (2 * 1024 * 1024 + 1))  # just over 10 MiB
    return sorted(HOSTILE.iterdir()) + [oversize]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="store_true", help="time `steplint check FILE` instead of the loader")
    parser.add_argument("--steplint", help="steplint executable for --cli (default: PATH, else this checkout)")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    steplint = [args.steplint] if args.steplint else (
        [shutil.which("steplint")] if shutil.which("steplint") else [sys.executable, "-m", "steplint"]
    )
    over = 0
    with tempfile.TemporaryDirectory() as scratch:
        if args.cli:
            print(f"{'file':20} {'exit':>4} {'wall ms':>8} {'peak RSS MiB':>13}")
        else:
            print(f"{'file':20} {'load ms':>8} {'traced MiB':>11} {'peak RSS MiB':>13}  finding")
        for path in cases(Path(scratch)):
            if args.cli:
                code, out, err, wall, rss = run([*steplint, "check", str(path)], env)
                bad = "Traceback" in out + err or code not in (0, 1, 2)
                flag = "  TRACEBACK" if bad else ""
                print(f"{path.name:20} {code:>4} {wall * 1000:8.1f} {rss / 2**20:13.1f}{flag}")
                over += bad or wall > BUDGET_SECONDS or rss > BUDGET_BYTES
                continue
            code, out, err, wall, rss = run([sys.executable, "-c", CHILD, str(path)], env)
            if code != 0:
                print(f"{path.name:20} failed (exit {code}): {err.strip().splitlines()[-1:]}")
                over += 1
                continue
            result = json.loads(out)
            seconds, traced = result["seconds"], result["traced"]
            print(
                f"{path.name:20} {seconds * 1000:8.2f} {traced / 2**20:11.2f} {rss / 2**20:13.1f}  "
                + (", ".join(result["findings"]) or "-")
            )
            over += seconds > BUDGET_SECONDS or traced > BUDGET_BYTES or rss > BUDGET_BYTES
    print(f"budget: each < {BUDGET_SECONDS:g} s and < {BUDGET_BYTES // 2**20} MiB; {over} over")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
