"""DeepSpeed JSON: batch keys, scheduler peak/floor semantics, "auto", lenient JSON."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from dialects.configs_corpus import check_entry, entries
from steplint.dialects import deepspeed
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def load(name: str):
    return load_document(str(FIXTURES / "deepspeed" / name))


def extract(name: str):
    doc = load(name)
    assert deepspeed.detect(doc) >= 0.9
    return deepspeed.extract(doc, ExtractContext())


def values(extraction) -> dict:
    return {name: f.value for name, f in extraction.facts.items()}


@pytest.mark.corpus
@pytest.mark.parametrize("rel", entries("deepspeed"))
def test_corpus_values(rel):
    check_entry(rel)


def test_warmup_cosine_is_relative_to_the_optimizer_lr():
    ex = extract("cosine_ratio.json")  # comments and trailing commas: hjson, as DeepSpeed reads it
    v = values(ex)
    assert v["peak_lr"] == 3e-4 and v["min_lr"] == pytest.approx(3e-5, rel=1e-12)
    assert ex.facts["min_lr"].source.kind == "derived"
    assert (v["decay_style"], v["warmup_steps"], v["decay_end_step"]) == ("cosine", 500, 10000)
    assert ex.notes.warmup_type == "log"


def test_warmup_min_lr_passed_to_warmup_cosine_is_a_startup_type_error():
    (item,) = extract("cosine_ratio.json").notes.incompatible_flags
    assert item.flags == ("scheduler.params.warmup_min_lr",) and item.line == 7


def test_micro_batch_only_means_one_accumulation_step_and_needs_dp_for_the_batch():
    ex = extract("cosine_ratio.json")
    assert values(ex)["micro_batch"] == 4 and values(ex)["grad_accum"] == 1
    assert "global_batch_sequences" not in ex.facts


def test_warmup_lr_takes_warmup_max_lr_over_the_optimizer_lr_and_does_not_decay():
    ex = extract("warmup_lr.json")
    v = values(ex)
    assert v["peak_lr"] == 6e-4 and ex.notes.ignored_lr == 0.01
    assert v["decay_style"] == "constant" and "decay_end_step" not in v and "min_lr" not in v
    assert v["warmup_steps"] == 1000 and ex.facts["warmup_steps"].source.kind == "default"
    assert v["global_batch_sequences"] == 512 and v["precision"] == "fp16"


def test_auto_values_are_recorded_with_spans_and_never_read_as_numbers():
    doc = load_document(str(FIXTURES / "deepspeed" / "cosine_ratio.json"),
                        text='{"train_batch_size": "auto", "train_micro_batch_size_per_gpu": "auto",'
                             ' "optimizer": {"type": "AdamW", "params": {"lr": "auto"}}}')
    ex = deepspeed.extract(doc, ExtractContext())
    keys = [a.key for a in ex.notes.auto_keys]
    assert keys == ["train_batch_size", "train_micro_batch_size_per_gpu", "optimizer.params.lr"]
    assert ex.notes.auto_keys[0].span.start.column == 22
    assert not ex.diagnostics and "global_batch_sequences" not in ex.facts and "peak_lr" not in ex.facts


def test_hf_arguments_and_deepspeed_json_that_disagree_are_a_conflict_with_both_locations():
    from steplint.resolve import load_recipe

    loaded = load_recipe([str(FIXTURES / "deepspeed" / "hf_args.yaml")])
    assert loaded.recipe.dialects[-1] == "deepspeed"
    (record,) = [c for c in loaded.recipe.conflicts if c.field == "micro_batch"]
    places = {(record.source.file.rsplit("/", 1)[-1], record.source.line, record.value),
              (record.other_source.file.rsplit("/", 1)[-1], record.other_source.line, record.other_value)}
    assert places == {("hf_args.yaml", 3, 8), ("ds_micro4.json", 2, 4)}


def test_the_conflict_reaches_check_as_sl701_with_both_locations():
    import json
    import subprocess
    import sys

    from conftest import REPO_ROOT

    run = subprocess.run([sys.executable, "-m", "steplint", "check", "--output-format", "json",
                          str(FIXTURES / "deepspeed" / "hf_args.yaml")], capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": ""})
    (found,) = [d for d in json.loads(run.stdout)["diagnostics"] if d["code"] in ("SL701", "SL006")]
    where = {(found["file"].rsplit("/", 1)[-1], found["line"])}
    where |= {(r["file"].rsplit("/", 1)[-1], r["line"]) for r in found.get("related", ())}
    assert where == {("hf_args.yaml", 3), ("ds_micro4.json", 2)}


def test_neox_and_training_files_are_not_deepspeed():
    assert deepspeed.detect(load_document(str(FIXTURES / "neox" / "moe.yml"))) == 0.0
