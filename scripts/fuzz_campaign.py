#!/usr/bin/env python3
"""The long fuzz campaign (issue 15 item 1), outside the default test suite.

Draws inputs from tests/fuzz/generators.py with a seeded Random (input i of seed S is
`random.Random(S * 1_000_003 + i)`, so any finding replays alone), drives each through
tests/fuzz/harness.py (load, every dialect, every rule, every reporter, `show`,
`check --fix`), and records: inputs, seed, internal errors (grouped by message),
inputs over 5 s (a SIGALRM stops them and counts a hang), the slowest input, and the
peak RSS of the process. Results go to a JSON file; tests/fuzz/CAMPAIGN.md records runs.

    python scripts/fuzz_campaign.py --inputs 100000 --seed 15 [--shard 0/2] [--out result.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

HANG_SECONDS = 5


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"over {HANG_SECONDS} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--shard", default="0/1", help="k/n: run inputs i with i %% n == k")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--out", help="write the result as JSON here")
    parser.add_argument("--only", type=int, help="replay this one input (its files and outcome)")
    args = parser.parse_args(argv)
    k, n = (int(x) for x in args.shard.split("/"))

    from fuzz.generators import corpus_files, make_case
    from fuzz.harness import run_case

    corpus = corpus_files(Path(args.shared))
    folder = tempfile.mkdtemp(prefix="steplint-fuzz-")
    if args.only is not None:
        case = make_case(random.Random(args.seed * 1_000_003 + args.only), corpus)
        outcome = run_case(case, folder, args.only)
        print(json.dumps({"input": args.only, "files": {k: v[:2000].decode("utf-8", "replace") for k, v in case.items()},
                          "ok": outcome.ok, "problem": outcome.problem}, indent=2))
        return 0 if outcome.ok else 1
    errors: collections.Counter = collections.Counter()
    first: dict = {}
    hangs, done, slowest = [], 0, (0.0, -1)
    signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter()
    for i in range(k, args.inputs, n):
        case = make_case(random.Random(args.seed * 1_000_003 + i), corpus)
        signal.alarm(HANG_SECONDS)
        try:
            outcome = run_case(case, folder, i)
        except Hang:
            hangs.append(i)
            continue
        finally:
            signal.alarm(0)
        done += 1
        if outcome.seconds > slowest[0]:
            slowest = (outcome.seconds, i)
        if not outcome.ok:
            print(f"input {i}: {outcome.problem[:300]}", file=sys.stderr, flush=True)
            key = outcome.problem[:160]
            errors[key] += 1
            first.setdefault(key, i)
        if done % 5000 == 0:
            print(f"{done} inputs, {sum(errors.values())} internal errors, {len(hangs)} hangs", file=sys.stderr)
    result = {
        "inputs": done + len(hangs), "seed": args.seed, "shard": args.shard, "corpus_files": len(corpus),
        "internal_errors": sum(errors.values()), "hangs_over_5s": len(hangs), "hang_inputs": hangs[:20],
        "slowest_seconds": round(slowest[0], 3), "slowest_input": slowest[1],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "wall_seconds": round(time.perf_counter() - start, 1),
        "errors": [{"count": c, "problem": p, "first_input": first[p]} for p, c in errors.most_common()],
    }
    text = json.dumps(result, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    return 1 if result["internal_errors"] or result["hangs_over_5s"] else 0


if __name__ == "__main__":
    sys.exit(main())
