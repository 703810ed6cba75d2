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
def test_long_campaign():
    """`pytest -m fuzz`: the recorded campaign's size and seed (scripts/fuzz_campaign.py)."""
    from conftest import load_script

    campaign = load_script("fuzz_campaign")
    assert campaign.main(["--inputs", "100000", "--seed", "15"]) == 0
