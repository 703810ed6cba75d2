"""HF TrainingArguments dialect: keys, defaults, schedules, warmup v4/v5, init, references."""

from __future__ import annotations

import os

import pytest

from conftest import FIXTURES
from steplint.dialects import hf_training_args as hf_args
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document

HF = FIXTURES / "hf"


def extract(text: str, path: str = "args.yaml"):
    return hf_args.extract(load_document(path, text=text), ExtractContext())


def test_detection_prefers_training_args_only():
    assert hf_args.detect(load_document(str(HF / "pretrain.yaml"))) > 0.9
    assert hf_args.detect(load_document(str(HF / "ds_zero2.json"))) == 0.0
    assert hf_args.detect(load_document(str(HF / "tiny-llama" / "config.json"))) == 0.0
    assert hf_args.detect(load_document(str(HF / "notes.yaml"))) == 0.0


def test_pretrain_fixture_facts_and_positions():
    ex = hf_args.extract(load_document(str(HF / "pretrain.yaml")), ExtractContext())
    where = {name: (f.value, f.source.key, f.source.line, f.source.column) for name, f in ex.facts.items()
             if f.source.kind == "key"}
    assert where == {
        "init": ("scratch", "config_name", 2, 14),
        "seq_len": (1024, "block_size", 4, 13),
        "micro_batch": (8, "per_device_train_batch_size", 5, 30),
        "grad_accum": (4, "gradient_accumulation_steps", 6, 30),
        "peak_lr": (6e-4, "learning_rate", 7, 16),
        "decay_style": ("cosine", "lr_scheduler_type", 8, 20),
        "min_lr": (1e-5, "lr_scheduler_kwargs.min_lr", 10, 11),
        "warmup_steps": (200, "warmup_steps", 11, 15),
        "train_steps": (5000, "max_steps", 12, 12),
        "weight_decay": (0.1, "weight_decay", 13, 15),
        "adam_beta2": (0.95, "adam_beta2", 14, 13),
        "grad_clip": (1.0, "max_grad_norm", 15, 16),
        "optimizer": ("adamw_torch_fused", "optim", 16, 8),
        "precision": ("bf16", "bf16", 17, 7),
    }
    assert ex.facts["adam_beta1"].source.kind == "default"
    assert [(r.role, os.path.basename(r.path), r.span.start.line) for r in ex.references] == [
        ("deepspeed", "ds_zero2.json", 3), ("model", "tiny-llama", 2)]
    assert ex.diagnostics == ()


def test_defaults_are_transformers_defaults():
    ex = extract("output_dir: out\nper_device_train_batch_size: 4\n")
    values = {k: f.value for k, f in ex.facts.items()}
    assert values["peak_lr"] == 5e-5 and ex.facts["peak_lr"].source.kind == "default"
    assert values["decay_style"] == "linear" and values["min_lr"] == 0.0
    assert values["adam_beta2"] == 0.999 and values["warmup_steps"] == 0 and values["grad_accum"] == 1
    assert values["precision"] == "fp32"
    assert ex.notes.epochs.value == 3.0
    assert "train_steps" not in values


@pytest.mark.parametrize("kwargs, expected", [
    ("lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs:\n  min_lr_rate: 0.1\n", 4e-5),
    ("lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs: '{\"min_lr\": 2.0e-5}'\n", 2e-5),
    ("lr_scheduler_type: polynomial\nlr_scheduler_kwargs:\n  lr_end: 1.0e-6\n", 1e-6),
    ("lr_scheduler_type: polynomial\n", 1e-7),
    ("lr_scheduler_type: constant_with_warmup\n", 4e-4),
    ("lr_scheduler_type: warmup_stable_decay\nlr_scheduler_kwargs:\n  min_lr_ratio: 0.1\n  num_decay_steps: 100\n",
     4e-5),
    ("lr_scheduler_type: linear\n", 0.0),
])
def test_schedule_floor_is_absolute(kwargs, expected):
    ex = extract("per_device_train_batch_size: 1\nlearning_rate: 4.0e-4\n" + kwargs)
    assert ex.facts["min_lr"].value == pytest.approx(expected, rel=1e-12, abs=0)


def test_cosine_with_min_lr_without_floor_leaves_min_lr_missing():
    ex = extract("per_device_train_batch_size: 1\nlr_scheduler_type: cosine_with_min_lr\n")
    assert "min_lr" not in ex.facts
    assert ex.facts["decay_style"].value == "cosine"


def test_warmup_steps_ratio_v4_and_fraction_v5():
    ratio = extract("per_device_train_batch_size: 1\nwarmup_ratio: 0.03\n")
    assert ratio.notes.warmup_ratio.value == 0.03 and "warmup_steps" not in ratio.facts
    fraction = extract("per_device_train_batch_size: 1\nwarmup_steps: 0.1\n")
    assert fraction.notes.warmup_ratio.value == 0.1
    steps = extract("per_device_train_batch_size: 1\nwarmup_steps: 500\nwarmup_ratio: 0.1\n")
    assert steps.facts["warmup_steps"].value == 500 and steps.notes.warmup_ratio is None


def test_pyyaml_string_number_is_sl004_but_still_read():
    ex = hf_args.extract(load_document(str(HF / "sft_lr_string.yaml")), ExtractContext())
    assert [(d.code, d.line, d.column) for d in ex.diagnostics] == [("SL004", 2, 16)]
    assert "1.0e-4" in ex.diagnostics[0].message
    assert ex.facts["peak_lr"].value == 1e-4


def test_llama_factory_reads_yaml_with_omegaconf_so_1e_4_is_fine():
    ex = extract("stage: pt\nper_device_train_batch_size: 1\nlearning_rate: 1e-4\ncutoff_len: 2048\n")
    assert ex.diagnostics == () and ex.facts["peak_lr"].value == 1e-4


@pytest.mark.parametrize("text, init, key", [
    ("model_name_or_path: gpt2\nuse_peft: true\n", "lora", "use_peft"),
    ("model_name_or_path: x/y\nfinetuning_type: lora\nstage: sft\n", "lora", "finetuning_type"),
    ("model_name_or_path: x/y\nstage: sft\nfinetuning_type: full\n", "finetune", "stage"),
    ("model_name_or_path: x/y\nchat_template: '{{ m }}'\n", "finetune", "chat_template"),
    ("model_name_or_path: x/y\n", "checkpoint", "model_name_or_path"),
    ("model_name_or_path: x/y\ntrain_from_scratch: true\n", "scratch", "train_from_scratch"),
    ("model_type: llama\n", "scratch", "model_type"),
])
def test_init_is_recognised(text, init, key):
    ex = extract("per_device_train_batch_size: 1\n" + text)
    assert (ex.facts["init"].value, ex.facts["init"].source.key) == (init, key)


def test_run_clm_model_type_counts_class_defaults_and_overrides():
    ex = extract("per_device_train_batch_size: 1\nmodel_type: gpt2\n")
    assert ex.facts["n_params"].value == 84_934_656  # GPT2Config() is GPT-2 small
    bigger = extract("per_device_train_batch_size: 1\nmodel_type: gpt2\n"
                     "config_overrides: n_embd=1024,n_layer=24,n_head=16\n")
    assert bigger.facts["n_params"].value == 24 * (4 * 1024**2 + 2 * 1024 * 4096)
    odd = extract("per_device_train_batch_size: 1\nmodel_type: gpt2\nconfig_overrides: n_embd=1000\n")
    assert "n_params" not in odd.facts  # 1000 is not divisible by 12 heads: transformers refuses it too


def test_json_args_file():
    ex = extract('{"per_device_train_batch_size": 2, "learning_rate": 1e-4, "max_steps": 100,'
                 ' "lr_scheduler_type": "cosine"}', path="args.json")
    assert ex.diagnostics == ()
    assert ex.facts["peak_lr"].value == 1e-4 and ex.facts["train_steps"].value == 100
    assert ex.facts["peak_lr"].source.line == 1


@pytest.mark.parametrize(("model_type", "words"), [("acme_lm", "not one steplint knows"),
                                                    ("mamba", "not a transformer")])
def test_run_clm_unknown_or_recurrent_model_type_is_not_guessed(model_type, words):
    ex = extract(f"per_device_train_batch_size: 1\nmodel_type: {model_type}\n"
                 "config_overrides: hidden_size=64,num_hidden_layers=2,num_attention_heads=4\n")
    assert "n_params" not in ex.facts
    assert any(words in n and "--params" in n for n in ex.notices)


def test_run_clm_recurrent_model_type_is_outside_step_law():
    ex = extract("per_device_train_batch_size: 1\nmodel_type: rwkv\n")
    assert "rwkv" in ex.notes.not_transformer
    assert not extract("per_device_train_batch_size: 1\nmodel_type: gpt2\n").notes.not_transformer
