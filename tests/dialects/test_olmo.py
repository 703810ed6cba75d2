"""OLMo legacy YAML: fused SwiGLU width, max_duration units, token-unit schedules, defaults."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from steplint.dialects import olmo
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def extract(name: str, **ctx):
    return olmo.extract(load_document(str(FIXTURES / "modern" / name)), ExtractContext(**ctx))


def test_detect():
    assert olmo.detect(load_document(str(FIXTURES / "modern" / "olmo_tokens.yaml"))) >= 0.9
    assert olmo.detect(load_document(str(FIXTURES / "modern" / "levanter_gpt2.yaml"))) == 0.0
    # OLMo-core trees share model.d_model but mean other units: not read as the legacy trainer
    core = '{"model": {"d_model": 4096, "block": {"feed_forward": {"hidden_size": 11008}}}, "train_module": {}}'
    assert olmo.detect(load_document("core.json", text=core)) == 0.0


@pytest.mark.parametrize(("raw", "parsed"), [
    (1000, ("steps", 1000)), ("2e12T", ("tokens", 2e12)), ("2ep", ("epochs", 2)), ("739_328", ("steps", 739328)),
    ("soon", None),
])
def test_parse_duration(raw, parsed):
    assert olmo.parse_duration(raw) == parsed


def test_token_units_mqa_and_early_stop():
    ex = extract("olmo_tokens.yaml")
    got = {k: f.value for k, f in ex.facts.items()}
    assert got["num_kv_heads"] == 1  # multi_query_attention
    assert got["ffn_hidden_size"] == 1024  # mlp_ratio 8 x 256 fused -> half
    assert got["n_params"] == 8 * (256 * 256 * 2 + 2 * 256 * 32 + 3 * 256 * 1024)
    assert (got["warmup_steps"], got["decay_end_step"]) == (5, 100)  # tokens / 4,194,304 per step
    assert got["train_steps"] == 406_934  # stop_at; max_duration is in epochs
    assert got["tokens"] == 406_934 * 1024 * 4096
    assert got["min_lr"] == pytest.approx(6e-4 * 0.05)
    assert ex.notes.warmup_start_lr == 0.0
    assert any("epochs" in n for n in ex.notices)
    src = ex.facts["peak_lr"].source
    assert (src.key, src.line, src.column) == ("optimizer.learning_rate", 12, 18)


def test_defaults_name_olmo():
    ex = extract("olmo_defaults.yaml")
    got = {k: f.value for k, f in ex.facts.items()}
    assert got["ffn_hidden_size"] == 4096  # mlp_ratio 4 x 2048, halved for SwiGLU
    assert (got["seq_len"], got["micro_batch"], got["vocab_size"]) == (1024, 16, 50304)
    assert (got["optimizer"], got["peak_lr"], got["warmup_steps"]) == ("lionw", 1e-4, 100)
    assert got["min_lr"] == pytest.approx(1e-5)  # alpha_f 0.1
    assert got["decay_style"] == "cosine" and got["decay_end_step"] == 1000
    assert got["grad_clip"] == 0.0  # max_grad_norm None: no clipping
    assert ex.arch.tied_embeddings  # weight_tying defaults to true
    embedding = 50304 * 2048
    assert embedding < got["n_params_total"] - got["n_params"] < 2 * embedding  # one tied matrix, plus biases
    for name in ("optimizer", "peak_lr", "seq_len"):
        assert ex.facts[name].source.kind == "default"
        assert "OLMo" in ex.facts[name].source.framework


def test_grad_accum_needs_the_world_size():
    assert "grad_accum" not in extract("olmo_defaults.yaml").facts
    assert extract("olmo_defaults.yaml", world_size=2).facts["grad_accum"].value == 2  # 64 / 2 / 16


def test_kv_heads_must_agree_with_multi_query():
    text = "model:\n  d_model: 64\n  n_heads: 4\n  n_kv_heads: 2\n  multi_query_attention: true\n"
    ex = olmo.extract(load_document("o.yaml", text=text), ExtractContext())
    [found] = ex.notes.incompatible_flags
    assert found.line == 4 and "multi_query_attention" in found.message
    assert ex.facts["num_kv_heads"].value == 2


def test_omegaconf_reads_exponents_without_a_dot():
    ex = extract("olmo_tokens.yaml")  # learning_rate: 6e-4
    assert ex.facts["peak_lr"].value == 6e-4 and ex.diagnostics == ()


def test_an_impossible_shape_leaves_n_unknown_and_keeps_the_rest():
    text = "model:\n  d_model: 100\n  n_heads: 3\nmax_duration: 10\noptimizer:\n  learning_rate: 1.0e-3\n"
    ex = olmo.extract(load_document("o.yaml", text=text), ExtractContext())
    assert "n_params" not in ex.facts and any("architecture" in n for n in ex.notices)
    assert ex.facts["peak_lr"].value == 1e-3 and ex.facts["train_steps"].value == 10


def test_a_token_duration_is_a_token_budget():
    text = ("model:\n  d_model: 256\n  n_heads: 4\n  n_layers: 2\nmax_sequence_length: 1024\n"
            "global_train_batch_size: 512\nmax_duration: 2e12T\n")
    ex = olmo.extract(load_document("olmo.yaml", text=text), ExtractContext())
    budget = ex.facts["token_budget"]
    assert (budget.value, budget.unit, budget.source.line, budget.source.column) == (2_000_000_000_000, "tokens", 7, 15)
    assert ex.facts["train_steps"].value == -(-2_000_000_000_000 // (512 * 1024))
    stopped = olmo.extract(load_document("olmo.yaml", text=text + "stop_at: 1000\n"), ExtractContext())
    assert stopped.facts["token_budget"].value == 2e12 and stopped.facts["train_steps"].value == 1000
    steps = olmo.extract(load_document("olmo.yaml", text=text.replace("2e12T", "1000")), ExtractContext())
    assert "token_budget" not in steps.facts
