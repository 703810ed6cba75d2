"""NeMo 1.x / launcher YAML: OmegaConf values, Megatron-Core defaults, scheduler semantics."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from dialects.configs_corpus import check_entry, entries
from steplint.dialects import nemo
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def extract(name: str):
    doc = load_document(str(FIXTURES / "nemo" / name))
    assert nemo.detect(doc) >= 0.9
    return nemo.extract(doc, ExtractContext())


def values(extraction) -> dict:
    return {name: f.value for name, f in extraction.facts.items()}


@pytest.mark.corpus
@pytest.mark.parametrize("rel", entries("nemo"))
def test_corpus_values(rel):
    check_entry(rel)


def test_gated_activation_without_ffn_is_4h_in_megatron_core():
    ex = extract("swiglu_gqa_moe.yaml")
    assert values(ex)["ffn_hidden_size"] == 4 * 2048 and ex.arch.gated
    assert ex.facts["ffn_hidden_size"].source.kind == "default"


def test_num_query_groups_alone_sets_gqa():
    assert values(extract("swiglu_gqa_moe.yaml"))["num_kv_heads"] == 4


def test_moe_with_shared_expert_width_from_a_resolver():
    ex = extract("swiglu_gqa_moe.yaml")
    h, layers = 2048, 16
    attention = layers * (2 * h * h + 2 * h * 4 * 128)
    assert ex.arch.shared_expert_ffn_hidden_size == 2 * h  # ${multiply:2, ${.hidden_size}}
    assert values(ex)["n_params"] == attention + layers * (8 * 3 * h * 8192 + 3 * h * 4096)
    assert values(ex)["n_params_active"] == attention + layers * (2 * 3 * h * 8192 + 3 * h * 4096)


def test_warmup_ratio_is_a_fraction_of_max_steps_and_world_size_is_in_the_file():
    v = values(extract("swiglu_gqa_moe.yaml"))
    assert v["warmup_steps"] == int(0.01 * 20000)
    assert v["decay_end_step"] == 20000 and v["world_size"] == 32


def test_omegaconf_reads_exponent_without_dot_as_float():
    ex = extract("swiglu_gqa_moe.yaml")
    assert values(ex)["peak_lr"] == 3e-4 and values(ex)["min_lr"] == 3e-5
    assert not [d for d in ex.diagnostics if d.code == "SL004"]


def test_unresolvable_interpolations_are_sl007_and_not_guessed():
    ex = extract("launcher_unresolved.yaml")
    codes = sorted((d.code, d.line) for d in ex.diagnostics)
    assert codes == [("SL007", 12), ("SL007", 17)]
    assert "tensor_parallel" not in ex.facts
    # ffn_hidden_size is written but unresolved: no 4h default, so no N either
    assert "ffn_hidden_size" not in ex.facts and "n_params" not in ex.facts and ex.arch is None


def test_hold_policy_is_wsd_and_sched_max_steps_differs_from_trainer():
    ex = extract("launcher_unresolved.yaml")
    v = values(ex)
    assert v["decay_style"] == "wsd" and v["decay_end_step"] == 900
    assert ex.notes.steps_differ == (900, 1000)
    assert ex.notes.hold_steps == 500


def test_rampup_in_a_step_based_run_gives_the_tokens_consumed():
    ex = extract("launcher_unresolved.yaml")
    assert ex.notes.rampup.completes is False
    from steplint.dialects.megatron import RampUp

    assert values(ex)["tokens"] == RampUp(16, 16, 32000, 64).consumed_after(1000) * 2048


def test_not_nemo_without_trainer_and_model(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("model:\n  num_layers: 2\n")
    assert nemo.detect(load_document(str(path))) == 0.0
