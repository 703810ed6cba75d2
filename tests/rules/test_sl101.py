import json

from catalog_cases import files_case, with_facts
from steplint.diagnostics import Applicability, Severity
from steplint.rules.sl101_ds_batch_triple import RULE


def _ds(**keys):
    return files_case({"ds_config.json": ("deepspeed", json.dumps(keys, indent=2) + "\n")})


def test_openrlhf_346_triple_fails_at_world_size_7():
    # OpenRLHF#346: 256 != 2 * 18 * 7
    c = with_facts(_ds(train_batch_size=256, train_micro_batch_size_per_gpu=2, gradient_accumulation_steps=18),
                   world_size=7)
    [d] = c.run(RULE)
    assert "train_batch_size 256 ≠ micro batch 2 × accumulation 18 × world size 7 = 252" in d.message
    assert (d.file, d.line, d.column) == ("ds_config.json", 2, 23)
    assert d.fix is None  # 256 is not divisible by 2 * 7


def test_recomputes_accumulation_when_it_divides_out():
    c = with_facts(_ds(train_batch_size=64, train_micro_batch_size_per_gpu=4, gradient_accumulation_steps=8),
                   world_size=4)
    [d] = c.run(RULE)
    assert d.fix.applicability is Applicability.UNSAFE
    assert d.fix.edits[0].replacement == "4" and d.fix.expect[0].key == "gradient_accumulation_steps"


def test_without_world_size_a_non_integer_implied_world_size_fails():
    [d] = _ds(train_batch_size=250, train_micro_batch_size_per_gpu=4, gradient_accumulation_steps=8).run(RULE)
    assert "implied world size 7.81" in d.message


def test_missing_member_must_divide():
    [d] = with_facts(_ds(train_batch_size=10, train_micro_batch_size_per_gpu=4), world_size=1).run(RULE)
    assert "not divisible by train_micro_batch_size_per_gpu 4" in d.message


def test_consistent_triple_and_auto_are_clean():
    c = with_facts(_ds(train_batch_size=256, train_micro_batch_size_per_gpu=2, gradient_accumulation_steps=16),
                   world_size=8)
    assert c.run(RULE) == []
    assert _ds(train_batch_size="auto", train_micro_batch_size_per_gpu=2, gradient_accumulation_steps=3).run(RULE) == []


def test_without_world_size_a_whole_triple_states_its_only_world_size():
    [d] = _ds(train_batch_size=256, train_micro_batch_size_per_gpu=2, gradient_accumulation_steps=16).run(RULE)
    assert d.severity is Severity.INFO and "only runs on 8 GPUs" in d.message
