"""Every value corpus/modern/expected.json says a correct linter derives, through
resolve.load_recipe (the path `steplint show` takes): N exactly, other numbers to 1e-9
relative, names equal, and every field in `needs` reported missing, never guessed."""

from __future__ import annotations

import json
import math

import pytest

from conftest import SHARED, shared_path
from steplint.resolve import load_recipe
from steplint.settings import Settings

pytestmark = pytest.mark.corpus

# expected.json key -> Recipe field (architecture.md section 3; SOURCES.md "Recipe field names").
FIELDS = {
    "N": "n_params",
    "N_active": "n_params_active",
    "tokens_D": "tokens",
    "global_batch_sequences": "global_batch_sequences",
    "global_batch_tokens": "global_batch_tokens",
    "seq_len": "seq_len",
    "peak_lr": "peak_lr",
    "min_lr": "min_lr",
    "warmup_steps": "warmup_steps",
    "decay_style": "decay_style",
    "decay_steps": "decay_end_step",
    "train_steps": "train_steps",
    "init": "init",
    "world_size": "world_size",
}
EXACT = ("N", "N_active")


def _expected() -> dict:
    path = SHARED / "corpus" / "modern" / "expected.json"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


EXPECTED = _expected()
NAMES = sorted(EXPECTED) or ["(corpus absent)"]


def _load(name: str, **settings):
    path = shared_path("corpus", "modern", name)
    return load_recipe([str(path)], Settings(**settings)).recipe


def _same(key: str, got, want) -> bool:
    if isinstance(want, str) or key in EXACT:
        return got == want
    if want == 0:
        return got == 0
    return isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_every_derived_value(name):
    entry = EXPECTED.get(name) or pytest.skip("corpus/modern/expected.json is absent")
    recipe = _load(name)
    wrong = {}
    for key, field in FIELDS.items():
        want = entry.get(key)
        if want is None:
            continue
        got = recipe.value(field)
        if not _same(key, got, want):
            wrong[field] = (got, want)
    assert not wrong, f"{name}: (got, expected) {wrong}"


@pytest.mark.parametrize("name", NAMES)
def test_needs_are_reported_missing(name):
    entry = EXPECTED.get(name) or pytest.skip("corpus/modern/expected.json is absent")
    recipe = _load(name)
    missing = {m.field for m in recipe.missing}
    for field in entry["needs"]:
        assert field in missing and field not in recipe.facts, f"{name}: {field} should be missing"
    assert all(m.supply for m in recipe.missing)


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e.get("if_world_size")) or NAMES)
def test_values_once_the_world_size_is_given(name):
    entry = EXPECTED.get(name) or pytest.skip("corpus/modern/expected.json is absent")
    given = entry["if_world_size"]
    recipe = _load(name, world_size=given["world_size"])
    for key in ("global_batch_sequences", "global_batch_tokens", "tokens_D"):
        assert _same(key, recipe.value(FIELDS[key]), given[key]), (name, key, recipe.value(FIELDS[key]))


@pytest.mark.parametrize("name", NAMES)
def test_detected_dialect(name):
    entry = EXPECTED.get(name) or pytest.skip("corpus/modern/expected.json is absent")
    framework = entry["format"].split("/")[0]
    dialects = _load(name).dialects
    if framework == "llama-factory":
        # hf_training_args scores LLaMA-Factory files 1.0 too and comes first in the registry;
        # both read the same facts (llama_factory delegates to it), so either is correct.
        assert dialects[0] in ("llama-factory", "hf-training-args")
    else:
        assert dialects[0] == framework


def _other_corpus_files() -> list[str]:
    root = SHARED / "corpus"
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".toml") and p.name != "expected.json"
                  and p.relative_to(root).parts[0] != "modern")


@pytest.mark.parametrize("name", _other_corpus_files() or ["(corpus absent)"])
def test_modern_dialects_leave_other_frameworks_files_alone(name):
    from steplint.dialects.registry import detect_dialect
    from steplint.documents.load import load_document

    doc = load_document(str(shared_path("corpus", name)))
    module = detect_dialect(doc)
    modern = {"torchtitan", "olmo", "litgpt", "nanotron", "axolotl", "maxtext", "levanter"}
    assert module is None or module.NAME not in modern, f"{name} read as {module.NAME}"
