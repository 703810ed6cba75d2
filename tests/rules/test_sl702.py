import json

from catalog_cases import files_case
from steplint.diagnostics import Severity
from steplint.rules.sl702_ds_auto_outside_hf import RULE

LAUNCH = "#!/bin/bash\ndeepspeed pretrain_gpt.py --deepspeed_config ds.json --train-iters 1000\n"


def test_auto_with_a_megatron_deepspeed_launch_is_an_error():
    c = files_case({"run.sh": ("megatron", LAUNCH),
                    "ds.json": ("deepspeed", json.dumps({"train_micro_batch_size_per_gpu": "auto"}, indent=2))})
    [d] = c.run(RULE)
    assert d.severity is Severity.ERROR and (d.file, d.line) == ("ds.json", 2)
    assert "no HF TrainingArguments file" in d.message


def test_lone_hf_shaped_autos_are_left_to_the_launcher_recipe():
    c = files_case({"ds.json": ("deepspeed", json.dumps({"train_batch_size": "auto", "bf16": {"enabled": "auto"}}))})
    assert c.run(RULE) == []


def test_lone_auto_in_a_key_hf_never_fills_is_an_error():
    c = files_case({"ds.json": ("deepspeed", json.dumps({"zero_optimization": {"stage": "auto"}}))})
    [d] = c.run(RULE)
    assert d.severity is Severity.ERROR


def test_under_hf_only_unfilled_keys_are_reported():
    c = files_case({"args.yaml": ("hf-training-args", "per_device_train_batch_size: 8\noutput_dir: o\n"),
                    "ds.json": ("deepspeed", json.dumps({"train_batch_size": "auto",
                                                         "zero_optimization": {"stage": "auto"}}, indent=2))})
    [d] = c.run(RULE)
    assert "zero_optimization.stage is \"auto\" but the HF Trainer does not fill this key" in d.message


def test_numbers_are_clean():
    c = files_case({"ds.json": ("deepspeed", json.dumps({"train_batch_size": 64}))})
    assert c.run(RULE) == []


def test_axolotl_launches_through_the_hf_trainer():
    """axolotl passes `deepspeed:` to its TrainingArguments subclass (axolotl 067b021,
    src/axolotl/core/builders/causal.py l.191-193): the Trainer fills the "auto" values."""
    c = files_case({"train.yml": ("axolotl", "base_model: m\ndeepspeed: ds.json\nmicro_batch_size: 2\n"),
                    "ds.json": ("deepspeed", json.dumps({"train_batch_size": "auto",
                                                         "zero_optimization": {"stage": "auto"}}, indent=2))})
    [d] = c.run(RULE)  # only the key the Trainer does not fill
    assert "zero_optimization.stage" in d.message and "no HF TrainingArguments file" not in d.message
