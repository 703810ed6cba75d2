#!/usr/bin/env python3
"""The per-recipe work of a check after loading (dialects, gather/resolve, rules, laws,
suppression, report), in-process, with loading taken out: every document is loaded once
up front and handed back to the check each time (documents are immutable), so what is
timed is what a 1,000-file `check --isolated --exit-zero` does besides YAML loading
(bench/lean.py times loading itself).

Prints the median CPU time of `--runs` checks (after one warm-up run) and, from one run
under cProfile, the number of Python function calls: a count that a busy shared machine
does not disturb, for before/after comparisons. `--top N` prints the profile's N largest
cumulative entries too. The digest of the report shows that two checkouts print the same.

    python bench/work.py [--files 1000] [--runs 5] [--top 0]
    PYTHONPATH=/other/checkout/src python bench/work.py   # the same for another checkout
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import hashlib
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import perf_lean_layout  # noqa: E402
from check import inputs  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=0)
    args = parser.parse_args()

    gc.set_threshold(100_000, 50, 100)  # as steplint.cli.main sets it
    from steplint.cli import cli
    import steplint.documents.load as load

    sources = inputs()
    tmp = Path(tempfile.mkdtemp(prefix="steplint-work-"))
    try:
        files = perf_lean_layout(sources, args.files, tmp)  # as bench/lean.py and perf-lean lay them out
        real, loaded = load.load_document, {}  # (path, text) -> Document

        def cached(path: str, text: "str | None" = None, **kwargs: object) -> object:
            key = (path, text)
            if key not in loaded:
                loaded[key] = real(path, text=text, **kwargs)
            return loaded[key]

        load.load_document = cached  # gather imports it at call time

        def check() -> tuple[float, str]:
            out = io.StringIO()
            start = time.process_time()
            with contextlib.redirect_stdout(out):
                with contextlib.suppress(SystemExit):
                    cli(["check", "--isolated", "--exit-zero", *files], prog_name="steplint", standalone_mode=False)
            return time.process_time() - start, out.getvalue()

        check()  # loads every document once
        times = [check()[0] for _ in range(args.runs)]
        profile = cProfile.Profile()
        profile.enable()
        _, report = check()
        profile.disable()
        stats = pstats.Stats(profile)
        print(f"{len(files)} files, after loading: CPU {statistics.median(times):.3f} s (median of {args.runs}; "
              f"min {min(times):.3f}), {stats.total_calls:,} Python calls, report "
              f"{hashlib.sha256(report.replace(str(tmp), 'TMP').encode()).hexdigest()[:12]}")
        if args.top:
            stats.sort_stats("cumulative").print_stats(args.top)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
