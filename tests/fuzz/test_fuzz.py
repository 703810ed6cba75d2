"""The default fuzz run (issue 15 item 1): 2,000+ generated inputs through load, every
dialect, every rule, every reporter, `show` and `check --fix`, in process. Hypothesis
draws the structured cases (and shrinks a failure); byte-level mutations of the shared
corpus run from a fixed seed when ../shared is present. The long campaign (>= 100,000
inputs) is `pytest -m fuzz` or scripts/fuzz_campaign.py; tests/fuzz/CAMPAIGN.md records it."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import SHARED
from fuzz.generators import corpus_case, corpus_files, structured_case
from fuzz.harness import run_case

STRUCTURED = 1500
CORPUS = 600


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return str(tmp_path_factory.mktemp("fuzz"))


_count = iter(range(10**9))


@settings(max_examples=STRUCTURED, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False))
def test_structured_configs_never_cause_an_internal_error(folder, rng):
    outcome = run_case(structured_case(rng), folder, next(_count))
    assert outcome.ok, outcome.problem


def test_mutated_corpus_files_never_cause_an_internal_error(folder):
    files = corpus_files(SHARED)
    if not files:
        pytest.skip(f"{SHARED}/corpus is absent (../shared is only beside the project's own checkout and CI)")
    failures = []
    for i in range(CORPUS):
        case = corpus_case(random.Random(15_000 + i), files)
        outcome = run_case(case, folder, i)
        if not outcome.ok:
            failures.append(f"input {i} ({next(iter(case))}): {outcome.problem}")
    assert not failures, f"{len(failures)} of {CORPUS}: " + "; ".join(failures[:3])


@pytest.mark.fuzz
def test_long_campaign(tmp_path_factory):
    """`pytest -m fuzz -s`: the 100,000-input campaign (seed 15, two shard processes), as
    `scripts/fuzz_campaign.py --inputs 100000 --seed 15 --jobs 2`. The shards' records go to
    $STEPLINT_FUZZ_RECORD (default: a pytest temporary folder); with STEPLINT_FUZZ_RESUME=1 a
    stopped run continues from that record. The summary to paste into tests/fuzz/CAMPAIGN.md
    is printed and written to summary.md beside the records."""
    import os

    from conftest import load_script

    record = os.environ.get("STEPLINT_FUZZ_RECORD") or str(tmp_path_factory.mktemp("fuzz-campaign"))
    argv = ["--inputs", os.environ.get("STEPLINT_FUZZ_INPUTS", "100000"), "--seed",
            os.environ.get("STEPLINT_FUZZ_SEED", "15"), "--jobs", "2", "--record", record]
    campaign = load_script("fuzz_campaign")
    assert campaign.main(argv + (["--resume"] if os.environ.get("STEPLINT_FUZZ_RESUME") else [])) == 0, \
        f"see {record}/summary.md"
