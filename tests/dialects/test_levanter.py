"""Levanter YAML: model-type defaults, fraction-or-steps warmup/decay, batch schedules."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from steplint.dialects import levanter
from steplint.dialects.base import ExtractContext
from steplint.dialects.config_reader import ConfigReader
from steplint.documents.load import load_document


def load(name: str):
    return load_document(str(FIXTURES / "modern" / name))


def test_detect():
    assert levanter.detect(load("levanter_gpt2.yaml")) >= 0.6
    assert levanter.detect(load("litgpt_preset.yaml")) == 0.0


@pytest.mark.parametrize(("value", "total", "steps"), [(0.01, 400_000, 4000), (1, 500, 500), (1000, 10_000, 1000)])
def test_frac_or_steps(value, total, steps):
    assert levanter.frac_or_steps(value, total) == steps


def test_gpt2_defaults_and_batch_schedule():
    ex = levanter.extract(load("levanter_gpt2.yaml"), ExtractContext())
    f = {k: v.value for k, v in ex.facts.items()}
    assert f["n_params"] == 84_934_656 and ex.arch.tied_embeddings  # GPT-2 is always tied
    assert "n_params_total" not in f  # the vocabulary is the tokenizer's
    assert f["global_batch_sequences"] == 512  # last value of the schedule
    assert ex.facts["global_batch_sequences"].source.key == "trainer.train_batch_size.1.value"
    assert f["train_steps"] == 400_000 and ex.facts["train_steps"].source.kind == "default"
    assert f["warmup_steps"] == 4000  # warmup 0.01 of the run
    assert f["peak_lr"] == pytest.approx(6e-4)  # "6E-4" is a string to PyYAML
    assert f["min_lr"] == pytest.approx(6e-5) and f["decay_end_step"] == 400_000
    assert f["precision"] == "bf16"
    src = ex.facts["peak_lr"].source
    assert (src.key, src.line, src.column) == ("optimizer.learning_rate", 17, 18)


def test_inv_schedule_with_cycles_reaches_the_floor_at_the_first_cycle_end():
    text = ("model: {type: llama, hidden_dim: 64, intermediate_dim: 128, num_layers: 2, num_heads: 4,"
            " num_kv_heads: 2, seq_len: 256}\n"
            "trainer: {train_batch_size: 32, num_train_steps: 1000}\n"
            "optimizer: {learning_rate: 1.0e-3, lr_schedule: inv, warmup: 0.1, decay: 0.5, cycles: 2}\n")
    ex = levanter.extract(load_document("l.yaml", text=text), ExtractContext())
    f = {k: v.value for k, v in ex.facts.items()}
    assert f["decay_style"] == "inverse"
    assert (f["warmup_steps"], f["decay_end_step"]) == (50, 500)  # fractions of the 500-step cycle
    assert ex.notes.stable_steps == 500 - 50 - 250
    assert f["n_params"] == 2 * (64 * 64 * 2 + 2 * 64 * 32 + 3 * 64 * 128)
    assert any("cycles 2" in n for n in ex.notices)


def test_cycle_length_with_cycles_is_rejected():
    text = "trainer: {num_train_steps: 100}\noptimizer:\n  cycle_length: 50\n  cycles: 2\n"
    ex = levanter.extract(load_document("l.yaml", text=text), ExtractContext())
    [found] = ex.notes.incompatible_flags
    assert found.flags == ("optimizer.cycle_length", "optimizer.cycles") and found.line == 4


@pytest.mark.parametrize(("model_type", "n", "n_active"), [
    ("llama", 6_476_005_376, 6_476_005_376),  # Llama-2-7B defaults
    ("mistral", 6_979_321_856, 6_979_321_856),  # Mistral-7B defaults
    ("mixtral", 46_439_333_888, 12_616_466_432),  # Mixtral-8x7B defaults (= corpus/hf oracle)
])
def test_bare_model_type_means_its_class_defaults(model_type, n, n_active):
    doc = load_document("m.yaml", text=f"model: {{type: {model_type}}}\ntrainer: {{train_batch_size: 8}}\n")
    facts = levanter.extract(doc, ExtractContext()).facts
    assert (facts["n_params"].value, facts["n_params_active"].value) == (n, n_active)
    assert facts["hidden_size"].source.kind == "default"


def test_batch_schedule_tokens_sum_the_segments():
    text = ("model: {type: gpt2, seq_len: 100}\n"
            "trainer:\n  num_train_steps: 3000\n  train_batch_size:\n"
            "    - {start: 0, value: 256}\n    - {start: 1000, value: 512}\n")
    ex = levanter.extract(load_document("b.yaml", text=text), ExtractContext())
    assert ex.facts["global_batch_sequences"].value == 512
    assert ex.facts["tokens"].value == (1000 * 256 + 2000 * 512) * 100
    assert levanter.batch_schedule(ConfigReader(load_document("b.yaml", text=text), "f")) == [(0, 256), (1000, 512)]


def test_lora_without_a_model_block_counts_no_default_model():
    """A LoraLmConfig file (peft_save_path, no `lora:` and no `model:`): a LoRA run whose
    architecture is the hub checkpoint's, so N stays unknown, never Levanter's default model."""
    ex = levanter.extract(load("levanter_lora_defaults.yaml"), ExtractContext())
    assert ex.facts["init"].value == "lora" and ex.facts["init"].source.key == "peft_save_path"
    assert ex.arch is None and "num_layers" not in ex.facts
    assert any("NousResearch/Llama-2-7b-hf" in n and "--params" in n for n in ex.notices)


def test_no_model_block_means_train_lm_default_llama():
    """TrainLmConfig's model defaults to LlamaConfig (levanter 9263f81e train_lm.py l.42)."""
    text = "trainer:\n  train_batch_size: 256\n  num_train_steps: 1000\noptimizer:\n  learning_rate: 3e-4\n  min_lr_ratio: 0.1\n"
    ex = levanter.extract(load_document("t.yaml", text=text), ExtractContext())
    assert ex.arch is not None and ex.arch.hidden_size == 4096 and ex.arch.num_layers == 32


def test_model_without_type_is_not_counted():
    text = "model:\n  hidden_dim: 1024\ntrainer:\n  train_batch_size: 256\n  num_train_steps: 10\n"
    ex = levanter.extract(load_document("t.yaml", text=text), ExtractContext())
    assert ex.arch is None and any("model has no type" in n for n in ex.notices)
