"""steplint's N, active N and total against transformers' own tensors (the oracle fixture).

tests/fixtures/hf_oracle.json holds small generated configs and the counts transformers
v5.25.0 builds for them on the meta device (scripts/hf_oracle.py, a dev-only script: torch
and transformers are never needed here). Every count must be equal, not close.
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from steplint.dialects import hf_config
from steplint.dialects.base import ExtractContext
from steplint.dialects.hf_families import FAMILIES
from steplint.documents.load import load_document

ORACLE = json.loads((FIXTURES / "hf_oracle.json").read_text())
CASES = ORACLE["cases"]

# The families issue 13 names (gemma3 as its text model, gemma3_text), plus the common ones.
REQUIRED = {
    "gpt2", "gptj", "gpt_neo", "gpt_neox", "gpt_bigcode", "starcoder2", "bloom", "opt", "falcon", "mpt",
    "stablelm", "phi", "phi3", "gemma", "gemma2", "gemma3_text", "cohere", "granite", "olmo", "olmo2", "olmoe",
    "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "llama", "mistral", "mixtral", "deepseek_v2", "deepseek_v3",
    "dbrx", "minicpm3", "nemotron", "persimmon",
}


def _counts(case: dict) -> tuple:
    text = json.dumps(dict(case["config"], model_type=case["model_type"]))
    ex = hf_config.extract(load_document("config.json", text=text), ExtractContext())
    assert not ex.diagnostics, ex.diagnostics
    return tuple(ex.facts[k].value for k in ("n_params", "n_params_active", "n_params_total"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_counts_equal_transformers(case):
    assert _counts(case) == (case["n_params"], case["n_params_active"], case["n_params_total"])


def test_oracle_covers_every_family_steplint_counts():
    covered = {c["model_type"] for c in CASES}
    assert len(covered) >= 40
    assert REQUIRED <= covered, REQUIRED - covered
    assert set(FAMILIES) <= covered, set(FAMILIES) - covered  # no family row without an oracle case
    # ... and each also at its full-size class defaults (every default steplint fills in)
    defaults = {c["model_type"] for c in CASES if c["name"].endswith("-class-defaults")}
    assert set(FAMILIES) <= defaults, set(FAMILIES) - defaults


def test_oracle_is_not_trivial():
    # The fixture distinguishes what matters: MoE active < N, tied heads, biases, norms.
    assert any(c["n_params_active"] < c["n_params"] for c in CASES)
    assert any(c["breakdown"]["output_head"] == 0 for c in CASES)
    assert any(c["breakdown"]["biases"] > 0 for c in CASES)
    assert len({(c["n_params"], c["n_params_total"]) for c in CASES}) > 30
