"""What every benchmark script shares: which steplint to time and how to time one run.

Each script compares steplint with a peer measured in the same run (architecture.md
section 7), alternating the two so that load on the machine hits both alike.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def steplint_command(explicit: str | None) -> tuple[list[str], dict]:
    """The command that runs steplint, and its environment: the given executable, else the
    `steplint` on PATH, else `python -m steplint` from this checkout's `src/`."""
    env = dict(os.environ)
    if explicit:
        return [explicit], env
    found = shutil.which("steplint")
    if found:
        return [found], env
    env["PYTHONPATH"] = str(REPO_ROOT / "src")
    return [sys.executable, "-m", "steplint"], env


def wall(cmd: list[str], env: dict, *, ok_codes: tuple[int, ...] | None = None) -> float:
    """Wall seconds of one run. With `ok_codes`, any other exit code stops the benchmark
    (a timing of a failing command measures nothing)."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if ok_codes is not None and done.returncode not in ok_codes:
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode(errors='replace').strip()[:200]}")
    return elapsed


def perf_lean_layout(sources: list[Path], count: int, folder: Path) -> list[str]:
    """`count` copies of `sources` in 20 sub-folders of `folder`, the layout of
    ../shared/acceptance/perf-lean; the YAML copies' paths, sorted as it passes them."""
    for i in range(count):
        src = sources[i % len(sources)]
        sub = folder / f"d{i % 20}"
        sub.mkdir(exist_ok=True)
        shutil.copy(src, sub / f"c{i:04d}{src.suffix}")
    return sorted(str(p) for p in folder.rglob("*.y*ml"))
