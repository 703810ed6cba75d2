#!/usr/bin/env python3
"""Peak memory (RSS of the `steplint check` process, read with wait4) for issue 15 item 2:

1. 10,000 config files in one call (copies of the corpus configs, YAML and JSON, in 100
   folders), text report: goal < 64 MiB;
2. one 2 MB YAML file holding a 1,000,000-element list (refused by the values-per-
   document cap before composing): goal < 64 MiB, and well under 5 s;
3. one file under the caps that is as large as they allow: 49,000 values (just under the
   50,000 cap), for the time and memory a legal worst case costs.

    python bench/memory.py [--files 10000] [--json]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, steplint_command  # noqa: E402

SHARED = REPO_ROOT.parent / "shared" / "corpus" / "configs"
BUDGET_MIB = 64


def measure(cmd: list[str], env: dict) -> tuple[float, float, int]:
    """Peak RSS in MiB, wall seconds and exit code of one process."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - start, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--steplint")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    steplint, env = steplint_command(args.steplint)
    sources = sorted(p for p in SHARED.rglob("*") if p.suffix in (".yaml", ".yml", ".json")) if SHARED.is_dir() \
        else sorted((REPO_ROOT / "examples").glob("*.yaml"))
    tmp = Path(tempfile.mkdtemp(prefix="steplint-mem-"))
    result: dict = {}
    try:
        for i in range(args.files):
            src = sources[i % len(sources)]
            folder = tmp / "many" / f"d{i % 100}"
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, folder / f"c{i:05d}{src.suffix}")
        rss, seconds, code = measure([*steplint, "check", "--isolated", "--exit-zero", str(tmp / "many")], env)
        result["many"] = {"files": args.files, "peak_rss_mib": round(rss, 1), "seconds": round(seconds, 1), "exit": code}
        big = tmp / "list.yaml"
        big.write_text("data: [" + ",".join(["1"] * 1_000_000) + "]\n")
        rss, seconds, code = measure([*steplint, "check", "--isolated", str(big)], env)
        result["million_list"] = {"bytes": big.stat().st_size, "peak_rss_mib": round(rss, 1),
                                  "seconds": round(seconds, 2), "exit": code}
        legal = tmp / "legal.yaml"
        legal.write_text("data: [" + ",".join(["1"] * 49_000) + "]\n")
        rss, seconds, code = measure([*steplint, "check", "--isolated", str(legal)], env)
        result["under_cap"] = {"values": 49_000, "peak_rss_mib": round(rss, 1), "seconds": round(seconds, 2),
                               "exit": code}
    finally:
        shutil.rmtree(tmp)
    ok = all(r["peak_rss_mib"] < BUDGET_MIB for r in result.values())
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, r in result.items():
            print(f"{name:13s} {r['peak_rss_mib']:6.1f} MiB  {r['seconds']:7.2f} s  exit {r['exit']}  "
                  f"{ {k: v for k, v in r.items() if k not in ('peak_rss_mib', 'seconds', 'exit')} }")
        print(f"all under {BUDGET_MIB} MiB" if ok else f"OVER {BUDGET_MIB} MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
