import json

from catalog_cases import files_case, with_facts
from steplint.diagnostics import Applicability, Severity
from steplint.rules.sl701_ds_hf_mismatch import RULE

ARGS = "learning_rate: 3.0e-4\nper_device_train_batch_size: 8\ngradient_accumulation_steps: 4\ndeepspeed: ds.json\noutput_dir: out\n"


def _case(ds: dict, args: str = ARGS):
    return files_case({"args.yaml": ("hf-training-args", args), "ds.json": ("deepspeed", json.dumps(ds, indent=2))})


def test_micro_batch_mismatch_is_blamed_at_the_argument_with_auto_fix():
    # transformers#27830: DeepSpeed micro batch 1 vs TrainingArguments 8
    [d] = _case({"train_micro_batch_size_per_gpu": 1}).run(RULE)
    assert d.severity is Severity.ERROR
    assert "per_device_train_batch_size = 8 but ds.json sets train_micro_batch_size_per_gpu = 1" in d.message
    assert (d.file, d.line) == ("args.yaml", 2)
    assert d.related[0].file == "ds.json" and d.related[0].line == 2
    assert d.fix.applicability is Applicability.SAFE and d.fix.edits[0].replacement == '"auto"'
    assert d.fix.edits[0].file == "ds.json"


def test_values_left_at_hf_defaults_are_compared_too():
    [d] = _case({"optimizer": {"type": "AdamW", "params": {"betas": [0.9, 0.95], "lr": 3e-4}}}).run(RULE)
    assert "adam_beta1/adam_beta2 = [0.9, 0.999] (its default)" in d.message
    assert (d.file, d.line) == ("args.yaml", 4)  # the deepspeed: key names the file


def test_train_batch_needs_the_world_size():
    c = _case({"train_batch_size": 64})
    assert c.run(RULE) == []
    [d] = with_facts(c, world_size=4).run(RULE)
    assert "= 128" in d.message


def test_auto_and_equal_values_are_clean():
    c = _case({"train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": 4,
               "optimizer": {"params": {"lr": 3e-4, "betas": "auto"}}, "gradient_clipping": 1.0})
    assert c.run(RULE) == []


def test_without_hf_arguments_nothing_to_compare():
    c = files_case({"ds.json": ("deepspeed", json.dumps({"train_micro_batch_size_per_gpu": 1}))})
    assert c.run(RULE) == []
