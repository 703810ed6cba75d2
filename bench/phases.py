#!/usr/bin/env python3
"""Where a 1,000-file `check` spends its CPU, phase by phase, in process (issue 15 item 3).

Wraps the pipeline's stages (YAML parsing, the rest of load_document, the purpose test, each
dialect's detect and extract, gather and resolve, the rules, finalize) with a timer that
charges each call its own time minus that of the wrapped calls inside it, runs one cold
`check --isolated --exit-zero` over the perf-lean layout (1,000 copies of the corpus
configs in 20 folders, as bench/lean.py builds it) and prints the phases, largest first;
"rest" is what no wrapper covers (the engine's loop, the report, imports made during the
run, freeing each recipe's trees). Each wrapped call adds about 2 us of timer cost
(`time.process_time` is a system call), so small phases read high. Compare two checkouts
by alternating runs:

    PYTHONPATH=src python bench/phases.py [--files 1000]
    PYTHONPATH=/other/checkout/src python bench/phases.py
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import perf_lean_layout  # noqa: E402
from check import inputs  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    gc.set_threshold(100_000, 50, 100)  # as the console script sets it

    import steplint.commands.check as check
    import steplint.dialects.purpose as purpose
    import steplint.documents.load as load
    import steplint.engine as engine
    import steplint.resolve as resolve
    from steplint.dialects import registry

    spent: dict[str, float] = {}
    inner: list[float] = []
    clock = time.process_time

    def wrap(owner: Any, name: str, label: str) -> None:
        real: Callable[..., Any] = getattr(owner, name)

        def timed(*a: Any, **k: Any) -> Any:
            start = clock()
            inner.append(0.0)
            try:
                return real(*a, **k)
            finally:
                took = clock() - start
                nested = inner.pop()
                spent[label] = spent.get(label, 0.0) + took - nested
                if inner:
                    inner[-1] += took

        setattr(owner, name, timed)

    wrap(load, "load_document", "load_document (read, decode, newline)")
    wrap(load, "_parse", "parse (YAML)")
    wrap(purpose, "non_training", "purpose")
    for module_name in registry.DIALECT_MODULES:
        module = registry.load_dialect(module_name)
        wrap(module, "detect", "detect")
        wrap(module, "extract", f"extract: {module_name}")
    wrap(resolve, "gather", "gather (own part)")  # resolve calls the name it imported
    wrap(resolve, "load_recipe", "resolve (own part)")
    wrap(engine, "run_rules", "rules")
    wrap(engine, "finalize", "finalize")

    sources = inputs()
    tmp = Path(tempfile.mkdtemp(prefix="steplint-phases-"))
    try:
        files = perf_lean_layout(sources, args.files, tmp)  # as bench/lean.py and perf-lean lay them out
        parsed = check.read_argv(["--isolated", "--exit-zero", *files])
        if parsed is None:
            print("bench/phases.py: the check command line was not taken", file=sys.stderr)
            return 2
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # the report goes nowhere; the timer's table goes to the real stdout
        start = clock()
        try:
            check.execute(*parsed)
            sys.stdout.flush()
        finally:
            os.dup2(saved, 1)
            os.close(devnull)
        total = clock() - start
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    spent["rest (engine loop, report, run-time imports, freeing)"] = total - sum(spent.values())
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"{seconds:7.3f} s  {label}")
    print(f"{total:7.3f} s  TOTAL ({len(files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
