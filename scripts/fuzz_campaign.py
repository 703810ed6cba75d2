#!/usr/bin/env python3
"""The long fuzz campaign (issue 15 item 1), outside the default test suite.

Draws inputs from tests/fuzz/generators.py with a seeded Random (input i of seed S is
`random.Random(S * 1_000_003 + i)`, so any finding replays alone with `--only i`), drives
each through tests/fuzz/harness.py (load, every dialect, every rule, every reporter,
`show`, `check --fix`), and records: inputs, seed, internal errors (grouped by message,
with the first input of each), inputs over 5 s of CPU time (an ITIMER_PROF signal stops
them: a hang; CPU time, not wall time, so a loaded machine does not make one), the
slowest input, and the peak RSS (VmHWM) of each shard process.

The record survives a stop: each shard appends JSON lines to its own file in `--record`
(a `failure` or `hang` line the moment one happens, a `progress` line every 500 inputs),
and `--resume` continues every shard from its last progress line. The final summary
(a table for tests/fuzz/CAMPAIGN.md and one JSON line) is printed at the end, or
rebuilt from the record files alone with `--summary`.

    nice -n 19 python scripts/fuzz_campaign.py --inputs 100000 --seed 15 --jobs 2 --record /tmp/fuzz15
    nice -n 19 python scripts/fuzz_campaign.py ... --resume           # after a stop: same command + --resume
    python scripts/fuzz_campaign.py --record /tmp/fuzz15 --summary    # the summary of what is recorded
    python scripts/fuzz_campaign.py --seed 15 --only 13152            # replay one input
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

HANG_SECONDS = 5
PROGRESS_EVERY = 500


def _vmhwm_mib() -> float:
    """Peak resident set of this process (VmHWM), MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _commit() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _read_record(path: Path) -> list[dict]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:  # a line cut by a kill
            pass
    return events


def _shard_state(events: list[dict]) -> dict:
    """What a shard's record says: the next input to run and what was found before it."""
    state = {"next": None, "done": 0, "failures": {}, "hangs": [], "slowest": [0.0, -1], "vmhwm_mib": 0.0,
             "finished": False, "commit": None}
    for event in events:
        kind = event.get("event")
        if kind == "start":
            state["commit"] = event.get("commit")
        elif kind == "failure":
            state["failures"][event["input"]] = event["problem"]
        elif kind == "hang":
            if event["input"] not in state["hangs"]:
                state["hangs"].append(event["input"])
        elif kind in ("progress", "end"):
            state["next"], state["done"] = event["next"], event["done"]
            state["slowest"] = event["slowest"]
            state["vmhwm_mib"] = max(state["vmhwm_mib"], event["vmhwm_mib"])
            state["finished"] = kind == "end"
    if state["next"] is not None:  # inputs after the last mark run again on --resume
        state["failures"] = {i: p for i, p in state["failures"].items() if i < state["next"]}
        state["hangs"] = [i for i in state["hangs"] if i < state["next"]]
    return state


def run_shard(args, k: int, n: int, record: Path) -> dict:
    from fuzz.generators import corpus_files, make_case
    from fuzz.harness import Hang, run_case

    def alarm(signum, frame):
        raise Hang(f"over {HANG_SECONDS} s of CPU time")

    corpus = corpus_files(Path(args.shared))
    folder = tempfile.mkdtemp(prefix="steplint-fuzz-")
    events = _read_record(record) if args.resume else []
    started = next((e for e in events if e.get("event") == "start"), None)
    if started and (started["seed"], started["start"], started["stop"]) != (args.seed, args.start, args.inputs):
        sys.exit(f"{record} records seed {started['seed']}, inputs {started['start']} to {started['stop']}: "
                 "resume with those, or record elsewhere")
    state = _shard_state(events)
    first = args.start + (k - args.start) % n
    begin = state["next"] if state["next"] is not None else first
    log = record.open("a" if args.resume else "w")

    def emit(**event):
        log.write(json.dumps(event) + "\n")
        log.flush()

    emit(event="start", seed=args.seed, start=args.start, stop=args.inputs, shard=f"{k}/{n}", resume_at=begin,
         commit=_commit(), corpus_files=len(corpus), time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    failures, hangs = state["failures"], state["hangs"]
    done, slowest = state["done"], list(state["slowest"])
    signal.signal(signal.SIGPROF, alarm)
    i = begin
    for i in range(begin, args.inputs, n):
        case = make_case(random.Random(args.seed * 1_000_003 + i), corpus)
        cpu = time.process_time()
        signal.setitimer(signal.ITIMER_PROF, HANG_SECONDS)
        try:
            outcome = run_case(case, folder, i)
        except Hang:
            hangs.append(i)
            emit(event="hang", input=i)
            print(f"input {i}: hang over {HANG_SECONDS} s of CPU time", file=sys.stderr, flush=True)
            outcome = None
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        done += 1
        if outcome is not None:
            cpu = time.process_time() - cpu  # CPU time: a loaded machine stretches only the wall time
            if cpu > slowest[0]:
                slowest = [round(cpu, 3), i]
            if not outcome.ok:
                failures[i] = outcome.problem[:400]
                emit(event="failure", input=i, problem=failures[i])
                print(f"input {i}: {outcome.problem[:300]}", file=sys.stderr, flush=True)
        if done % PROGRESS_EVERY == 0:
            emit(event="progress", next=i + n, done=done, errors=len(failures), hangs=len(hangs), slowest=slowest,
                 vmhwm_mib=_vmhwm_mib())
    emit(event="end", next=max(i + n, args.inputs), done=done, errors=len(failures), hangs=len(hangs),
         slowest=slowest, vmhwm_mib=_vmhwm_mib())
    log.close()
    return _shard_state(_read_record(record))


def _record_dir(args) -> Path:
    if args.record:
        return Path(args.record)
    return Path(tempfile.gettempdir()) / f"steplint-fuzz-seed{args.seed}-{args.start}-{args.inputs}"


def summarize(folder: Path) -> tuple[str, dict]:
    """The table and JSON of every shard record in `folder`."""
    rows, total_errors, total_hangs, total_done = [], collections.Counter(), 0, 0
    first: dict = {}
    meta: dict = {}
    shards = []
    commits: list = []
    for path in sorted(folder.glob("shard-*.jsonl")):
        events = _read_record(path)
        start = next((e for e in events if e.get("event") == "start"), {})
        meta = meta or start
        commits += [e["commit"] for e in events if e.get("event") == "start" and e["commit"] not in commits]
        state = _shard_state(events)
        total_done += state["done"]
        total_hangs += len(state["hangs"])
        for i, problem in sorted(state["failures"].items()):
            key = problem[:160]
            total_errors[key] += 1
            first.setdefault(key, i)
        shards.append({"shard": start.get("shard"), "commit": state["commit"], "inputs": state["done"],
                       "finished": state["finished"], "internal_errors": len(state["failures"]),
                       "hangs_over_5s": len(state["hangs"]), "hang_inputs": state["hangs"][:20],
                       "slowest_seconds": state["slowest"][0], "slowest_input": state["slowest"][1],
                       "vmhwm_mib": state["vmhwm_mib"]})
        rows.append(f"| {start.get('shard')} | {state['done']:,}{'' if state['finished'] else ' (stopped)'} | "
                    f"{len(state['failures'])} | {len(state['hangs'])} | {state['slowest'][0]} s (input "
                    f"{state['slowest'][1]}) | {state['vmhwm_mib']} MiB |")
    result = {"seed": meta.get("seed"), "range": [meta.get("start"), meta.get("stop")], "commit": ", ".join(commits),
              "inputs": total_done, "internal_errors": sum(total_errors.values()), "hangs_over_5s": total_hangs,
              "peak_vmhwm_mib": max((s["vmhwm_mib"] for s in shards), default=0.0),
              "complete": bool(shards) and all(s["finished"] for s in shards), "shards": shards,
              "errors": [{"count": c, "problem": p, "first_input": first[p]} for p, c in total_errors.most_common()]}
    table = "\n".join([
        f"seed {result['seed']}, inputs {result['range'][0]:,} to {result['range'][1]:,}, commit {result['commit']}"
        if shards else f"no shard records in {folder}",
        "",
        "| shard | inputs | internal errors | hangs over 5 s CPU | slowest (CPU) | peak RSS (VmHWM) |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        f"| all | {total_done:,}{'' if result['complete'] else ' (not complete)'} | {result['internal_errors']} | "
        f"{total_hangs} | | {result['peak_vmhwm_mib']} MiB |",
    ])
    return table, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="run inputs up to (not including) this index")
    parser.add_argument("--start", type=int, default=0, help="first input index (default 0)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--jobs", type=int, default=1, help="shard processes to run (at most the free cores)")
    parser.add_argument("--shard", help="k/n: run only inputs i with i %% n == k, in this process")
    parser.add_argument("--record", help="folder of the shards' JSON-line records (default: a folder in $TMPDIR)")
    parser.add_argument("--resume", action="store_true", help="continue each shard from its record")
    parser.add_argument("--summary", action="store_true", help="print the summary of --record and stop")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--out", help="also write the final JSON here")
    parser.add_argument("--only", type=int, help="replay this one input (its files and outcome)")
    args = parser.parse_args(argv)

    if args.only is not None:
        from fuzz.generators import corpus_files, make_case
        from fuzz.harness import run_case

        corpus = corpus_files(Path(args.shared))
        case = make_case(random.Random(args.seed * 1_000_003 + args.only), corpus)
        outcome = run_case(case, tempfile.mkdtemp(prefix="steplint-fuzz-"), args.only)
        print(json.dumps({"input": args.only, "files": {k: v[:2000].decode("utf-8", "replace") for k, v in case.items()},
                          "ok": outcome.ok, "problem": outcome.problem, "seconds": round(outcome.seconds, 3)},
                         indent=2))
        return 0 if outcome.ok else 1

    folder = _record_dir(args)
    codes: list = []
    if not args.summary:
        folder.mkdir(parents=True, exist_ok=True)
        if args.shard:
            k, n = (int(x) for x in args.shard.split("/"))
            run_shard(args, k, n, folder / f"shard-{k}-of-{n}.jsonl")
            return 0
        n = max(1, args.jobs)
        if not args.resume:
            for old in folder.glob("shard-*.jsonl"):
                old.unlink()
        print(f"recording to {folder} ({n} shard{'s' * (n > 1)}; add --resume to continue after a stop)",
              file=sys.stderr, flush=True)
        forwarded = [a for a in (argv if argv is not None else sys.argv[1:])]
        children = [subprocess.Popen([sys.executable, __file__, *forwarded, "--record", str(folder),
                                      "--shard", f"{k}/{n}"]) for k in range(n)]
        try:
            codes = [child.wait() for child in children]
        except KeyboardInterrupt:
            for child in children:
                child.terminate()
            raise
        if any(codes):
            print(f"a shard process ended with exit code {max(codes)}: the record is incomplete", file=sys.stderr)
    table, result = summarize(folder)
    line = json.dumps({k: v for k, v in result.items() if k != "shards"})
    print(table)
    print(line)
    if folder.is_dir():
        (folder / "summary.md").write_text(table + "\n\n" + line + "\n")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    ok = result["complete"] and not result["internal_errors"] and not result["hangs_over_5s"] and not any(codes)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
