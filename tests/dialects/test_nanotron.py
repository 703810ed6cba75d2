"""nanotron YAML: batch and world size from the file, floor defaults to the peak, MoE widths."""

from __future__ import annotations

from conftest import FIXTURES
from steplint.dialects import nanotron
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def load(name: str):
    return load_document(str(FIXTURES / "modern" / name))


def test_detect():
    assert nanotron.detect(load("nanotron_qwen_moe.yaml")) >= 0.8
    assert nanotron.detect(load("olmo_defaults.yaml")) == 0.0


def test_qwen_moe_last_duplicate_wins_and_widths_default():
    ex = nanotron.extract(load("nanotron_qwen_moe.yaml"), ExtractContext())
    f = {k: v.value for k, v in ex.facts.items()}
    # moe_config appears twice (null, then a mapping); PyYAML keeps the mapping.
    # Expert width 1408 and shared width 5632 are MoEConfig defaults.
    assert (f["n_params"], f["n_params_active"]) == (158_859_264, 68_026_368)
    assert (f["num_experts"], f["experts_per_token"]) == (8, 1)
    assert f["global_batch_sequences"] == 6 and f["world_size"] == 2
    assert f["tokens"] == 32000 * 6 * 4096
    # lr_decay_steps null -> train_steps - warmup; min_decay_lr absent -> the peak (no decay)
    assert f["decay_end_step"] == 32000
    assert f["min_lr"] == f["peak_lr"] == 0.0003
    assert ex.facts["min_lr"].source.kind == "derived"
    src = ex.facts["micro_batch"].source
    assert (src.key, src.line, src.column) == ("tokens.micro_batch_size", 34, 21)


def test_decay_window_independent_of_train_steps():
    text = """
model:
  model_config: {hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, num_hidden_layers: 2,
                 num_key_value_heads: 2, vocab_size: 100, is_llama_config: true}
optimizer:
  learning_rate_scheduler: {learning_rate: 1.0e-3, lr_warmup_steps: 10, lr_warmup_style: linear,
                            lr_decay_style: linear, lr_decay_starting_step: 50, lr_decay_steps: 20,
                            min_decay_lr: 1.0e-5}
parallelism: {dp: 2, tp: 2, pp: 2}
tokens: {sequence_length: 128, micro_batch_size: 4, batch_accumulation_per_replica: 8, train_steps: 500}
"""
    f = nanotron.extract(load_document("n.yaml", text=text), ExtractContext()).facts
    assert f["decay_end_step"].value == 70  # starts at 50, 20 steps
    assert f["world_size"].value == 8 and f["global_batch_sequences"].value == 4 * 8 * 2
    assert f["min_lr"].value == 1e-5 and f["min_lr"].source.kind == "key"
    assert f["n_params"].value == 2 * (64 * 64 * 2 + 2 * 64 * 32 + 3 * 64 * 128)


def test_missing_warmup_style_is_rejected_like_nanotron_does():
    text = ("optimizer:\n  learning_rate_scheduler:\n    learning_rate: 1.0e-3\n    lr_warmup_steps: 10\n"
            "tokens: {sequence_length: 8, micro_batch_size: 1, batch_accumulation_per_replica: 1, train_steps: 5}\n"
            "parallelism: {dp: 1}\n")
    ex = nanotron.extract(load_document("n.yaml", text=text), ExtractContext())
    [found] = ex.notes.incompatible_flags
    assert "lr_warmup_style" in found.message and (found.line, found.column) == (3, 5)
    assert nanotron.extract(load("nanotron_qwen_moe.yaml"), ExtractContext()).notes.incompatible_flags == ()


def test_exponent_without_dot_is_a_string_to_nanotron_but_still_read():
    text = ("optimizer:\n  learning_rate_scheduler: {learning_rate: 3e-4, lr_warmup_style: linear}\n"
            "tokens: {sequence_length: 8, micro_batch_size: 1, batch_accumulation_per_replica: 1, train_steps: 5}\n")
    ex = nanotron.extract(load_document("n.yaml", text=text), ExtractContext())
    assert ex.facts["peak_lr"].value == 3e-4
    [finding] = ex.diagnostics
    assert finding.code == "SL004" and "PyYAML" in finding.message and (finding.line, finding.column) == (2, 44)
