"""GPT-NeoX YAML: spellings of one key, ParallelMLP widths, warmup fraction, split configs."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from dialects.configs_corpus import check_entry, check_merged, entries
from steplint.dialects import neox
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def extract(name: str):
    doc = load_document(str(FIXTURES / "neox" / name))
    assert neox.detect(doc) >= 0.9
    return neox.extract(doc, ExtractContext())


def values(extraction) -> dict:
    return {name: f.value for name, f in extraction.facts.items()}


@pytest.mark.corpus
@pytest.mark.parametrize("rel", entries("gpt-neox"))
def test_corpus_values(rel):
    check_entry(rel)


@pytest.mark.corpus
def test_split_llama_config_declared_as_one_recipe_gives_the_merged_values():
    check_merged("gpt-neox/llama_7B_split/7B.yml")


def test_hyphen_and_underscore_spellings_with_different_values_are_sl002_later_wins():
    ex = extract("clash.yml")
    (dup,) = [d for d in ex.diagnostics if d.code == "SL002"]
    assert dup.line == 13 and dup.related[0].line == 12
    assert values(ex)["train_steps"] == 15000


def test_gated_without_intermediate_size_is_about_4h_over_3_per_branch():
    ex = extract("clash.yml")
    assert values(ex)["ffn_hidden_size"] == int(4 * 4096 * 2 / 3) // 2 == 5461
    assert ex.arch.num_kv_heads == 8 and ex.arch.tied_embeddings is False  # no_weight_tying: True


def test_warmup_default_fraction_of_the_decay_span_and_cosine_climbing_back():
    ex = extract("clash.yml")
    assert values(ex)["warmup_steps"] == 100  # default 0.01 x lr_decay_iters 10000
    assert ex.notes.cosine_climbs_back == (10000, 15000)


def test_pyyaml_string_number_is_sl004_but_still_read():
    ex = extract("clash.yml")
    assert values(ex)["peak_lr"] == 1e-4
    assert [d.line for d in ex.diagnostics if d.code == "SL004"] == [16]


def test_moe_experts_use_their_own_width_rule_and_the_expert_interval():
    ex = extract("moe.yml")
    h = 1024
    expert = -(-int(8 * h / 3) // 256) * 256  # 2816
    dense = int(4 * h * 2 / 3) // 2
    attention = 4 * 4 * h * h
    assert values(ex)["n_params"] == attention + 2 * 3 * h * dense + 2 * 8 * 3 * h * expert
    assert values(ex)["n_params_active"] == attention + 2 * 3 * h * dense + 2 * 2 * 3 * h * expert


def test_decay_fraction_and_explicit_warmup_fraction():
    v = values(extract("moe.yml"))
    assert v["decay_end_step"] == 800 and v["warmup_steps"] == 40 and v["decay_style"] == "linear"


def test_model_only_fragment_does_not_invent_a_schedule(tmp_path):
    path = tmp_path / "model.yml"
    path.write_text('{"pipe_parallel_size": 1, "model_parallel_size": 1, "num_layers": 2, "hidden_size": 64,'
                    ' "num_attention_heads": 4, "pos_emb": "rotary"}\n')
    ex = neox.extract(load_document(str(path)), ExtractContext())
    assert not {"peak_lr", "min_lr", "warmup_steps", "decay_style"} & set(ex.facts)
