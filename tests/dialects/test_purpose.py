"""Configs that do not train are recognised and reported as SL003 at info with their kind,
never linted as training runs (fixtures in tests/fixtures/nontraining/, sources in comments
and SOURCES.md)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from steplint.cli import cli
from steplint.dialects.purpose import non_training
from steplint.documents.load import load_document

NON_TRAINING = FIXTURES / "nontraining"

CASES = [
    ("nemo_inference.yaml", "generation", "NeMo `inference:`"),
    ("nemo_export.yaml", "conversion", "NeMo `export:`"),
    ("megatron_text_generation_server.sh", "inference", "tools/run_text_generation_server.py"),
    ("megatron_convert.sh", "conversion", "tools/checkpoint/convert.py"),
    ("mds_lambada.sh", "evaluation", "--task LAMBADA"),
    ("megatron_skip_train.sh", "evaluation", "--skip-train"),
    ("generation_config.json", "generation", "generation_config.json"),
    ("hf_eval_only.yaml", "evaluation", "do_train: false"),
    ("llama_factory_infer.yaml", "inference", "infer_backend"),
    ("llama_factory_merge.yaml", "conversion", "export_dir"),
    ("lm_eval_task.yaml", "evaluation", "lm-evaluation-harness"),
    ("levanter_eval_harness.yaml", "evaluation", "eval_harness"),
]


@pytest.mark.parametrize(("name", "kind", "because"), CASES)
def test_kind_and_reason(name, kind, because):
    purpose = non_training(load_document(str(NON_TRAINING / name)))
    assert purpose is not None and purpose.kind == kind and because in purpose.because


@pytest.mark.parametrize(("name", "kind", "because"), CASES)
def test_check_reports_only_sl003_info_naming_the_kind(name, kind, because):
    result = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", str(NON_TRAINING / name)])
    assert result.exit_code == 0, result.output
    [d] = json.loads(result.output)["diagnostics"]
    assert (d["code"], d["severity"], d["line"]) == ("SL003", "info", 1)
    assert f"{kind} config, not a training run" in d["message"]


@pytest.mark.parametrize("path", [
    FIXTURES / "init" / "megatron_finetune.sh",
    FIXTURES / "init" / "nemo_continual.yaml",
    FIXTURES / "hf" / "pretrain.yaml",
    FIXTURES / "hf" / "tiny-llama" / "config.json",
    FIXTURES / "megatron" / "functional_test.yaml",
    FIXTURES / "modern" / "llama_factory_sft.yaml",
    FIXTURES / "init" / "levanter_train_with_harness.yaml",
])
def test_training_configs_are_not_taken_for_something_else(path):
    assert non_training(load_document(str(path))) is None


def test_forced_dialect_reads_the_file_anyway():
    result = CliRunner().invoke(cli, ["check", "--isolated", "--dialect", "megatron", "--output-format", "json",
                                      str(NON_TRAINING / "megatron_skip_train.sh")])
    assert "not a training run" not in result.output


def test_a_gpt2_vocabulary_is_no_training_config(tmp_path):
    # Megatron-DeepSpeed ships examples_deepspeed/rebase/gpt2-vocab.json: token -> id, with
    # tokens such as "stage" and "template" that are also LLaMA-Factory keys.
    vocab = {f"tok{i}": i for i in range(3000)}
    vocab.update({"stage": 14247, "template": 28243, "cutoff_len": 9, "learning_rate": 1, "output_dir": 2})
    path = tmp_path / "gpt2-vocab.json"
    path.write_text(json.dumps(vocab))
    result = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", str(path)])
    assert result.exit_code == 0
    assert [d["code"] for d in json.loads(result.output)["diagnostics"]] == ["SL003"]


def test_a_folder_name_in_the_program_path_is_no_signal(tmp_path):
    script = tmp_path / "train.sh"
    script.write_text("#!/bin/bash\npython /export/home/me/Megatron/main_train.py --num-layers 2 "
                      "--hidden-size 64 --num-attention-heads 2 --micro-batch-size 1\n")
    assert non_training(load_document(str(script))) is None


def test_a_next_line_character_does_not_shift_the_program_line(tmp_path):
    """U+0085 (NEL) is a line break to str.splitlines but not to the shell reader's positions:
    reading the program's path back must not index past the line (an IndexError before)."""
    from click.testing import CliRunner

    from steplint.cli import cli

    script = tmp_path / "train.sh"
    script.write_bytes(b"#\xc2\x85!/bin/bash\ntorchrun --nproc_per_node 8 pretrain_gpt.py \\\n    --num-layers 24\n")
    r = CliRunner().invoke(cli, ["check", "--isolated", str(script)])
    assert r.exit_code in (0, 1) and "internal error" not in r.output, r.output
