import json

from catalog_cases import files_case
from steplint.diagnostics import Severity
from steplint.recipe import FlagClash, Notes
from steplint.rules.sl704_incompatible_flags import RULE


def test_deepspeed_fp16_and_bf16_both_enabled():
    c = files_case({"ds.json": ("deepspeed", json.dumps({"fp16": {"enabled": True}, "bf16": {"enabled": True}}, indent=2))})
    [d] = c.run(RULE)
    assert d.severity is Severity.ERROR and "fp16.enabled and bf16.enabled are both set" in d.message


def test_auto_precision_is_left_to_the_hf_trainer():
    c = files_case({"ds.json": ("deepspeed", json.dumps({"fp16": {"enabled": "auto"}, "bf16": {"enabled": "auto"}}))})
    assert c.run(RULE) == []


def test_hf_arguments_fp16_and_bf16():
    [d] = files_case({"args.yaml": ("hf-training-args", "fp16: true\nbf16: true\noutput_dir: o\n")}).run(RULE)
    assert d.line == 2


def test_axolotl_exclusive_keys():
    text = "base_model: x\nwarmup_steps: 10\nwarmup_ratio: 0.1\ngradient_accumulation_steps: 4\nbatch_size: 32\n"
    found = files_case({"a.yaml": ("axolotl", text)}).run(RULE)
    assert sorted(d.line for d in found) == [3, 5]


def test_megatron_fp16_and_bf16_flags():
    text = "#!/bin/bash\ntorchrun pretrain_gpt.py --fp16 --bf16 --train-iters 10\n"
    [d] = files_case({"run.sh": ("megatron", text)}).run(RULE)
    assert "fp16 and bf16 are both set" in d.message


def test_combinations_found_by_a_dialect_are_reported_where_it_says():
    found = FlagClash(("--train-iters", "--train-samples"), "only one of them may be given", "run.sh", 3, 5)
    c = files_case({"run.sh": ("megatron", "#!/bin/bash\ntorchrun pretrain_gpt.py --train-iters 10\n")},
                   notes={"run.sh": Notes(incompatible_flags=(found,))})
    [d] = c.run(RULE)
    assert (d.file, d.line, d.column) == ("run.sh", 3, 5)
    assert d.message == "--train-iters and --train-samples: only one of them may be given"


def test_single_precision_flag_is_clean():
    assert files_case({"args.yaml": ("hf-training-args", "bf16: true\nfp16: false\noutput_dir: o\n")}).run(RULE) == []


def test_set_flags_for_a_table_equal_the_full_reading():
    """SL704 reads only the names its table asks for (`_set_flags(doc, wanted)`); for those
    it must give what reading every root and first-level key gives: the first of repeated
    names, dashes normalized, a root key that itself holds a dot."""
    from steplint.documents.load import load_document
    from steplint.rules.sl704_incompatible_flags import _set_flags

    text = ("--fp16: true\nfp16: false\nbf16: true\nzero.stage: {x: 1}\nzero:\n  stage: 2\n  offload-param: 3\n"
            "other: {a: 1}\n")
    doc = load_document("t.yaml", text=text)
    wanted = frozenset({"fp16", "bf16", "zero.stage", "zero.stage.x", "zero.offload_param", "other.b", "gone"})
    full = {k: v for k, v in _set_flags(doc).items() if k in wanted}
    got = _set_flags(doc, wanted)
    assert got == full
    assert set(got) == {"fp16", "bf16", "zero.stage", "zero.stage.x", "zero.offload_param"}
