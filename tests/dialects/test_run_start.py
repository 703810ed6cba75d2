"""Where a run starts (`init`) in every dialect: the key that decides it, SL305 at that key,
and SL301-SL303 silenced only when the run does not start from scratch.

Fixtures in tests/fixtures/init/ are written in each framework's real format; each names
its upstream source in a comment.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from steplint.cli import cli
from steplint.resolve import load_recipe
from steplint.settings import Settings

INIT = FIXTURES / "init"

# fixture, dialect, init, key that decided it (None: a framework default), line of that key
CASES = [
    ("olmo_anneal.yaml", "olmo", "checkpoint", "load_path", 17),
    ("olmo_resume.yaml", "olmo", "scratch", None, None),
    ("olmo_reset_optimizer.yaml", "olmo", "checkpoint", "reset_optimizer_state", 9),
    ("nanotron_no_optimizer.yaml", "nanotron", "checkpoint", "checkpoints.load_optimizer", 7),
    ("nanotron_self_resume.yaml", "nanotron", "scratch", None, None),
    ("nanotron_s3_resume.yaml", "nanotron", "scratch", None, None),
    ("megatron_finetune.sh", "megatron", "finetune", "--finetune", 11),
    ("megatron_no_load_optim.sh", "megatron", "checkpoint", "--no-load-optim", 12),
    ("megatron_resume.sh", "megatron", "scratch", None, None),
    ("megatron_pretrained_checkpoint.sh", "megatron", "finetune", "--pretrained-checkpoint", 9),
    ("mds_finetune_llama.sh", "megatron", "finetune", "program", 4),
    ("bigscience_reset_progress.slurm", "megatron", "finetune", "program", 6),
    ("bigscience_reset_pretrain.slurm", "megatron", "checkpoint", "--reset-progress", 11),
    ("nemo_peft_lora.yaml", "nemo", "lora", "model.peft.peft_scheme", 17),
    ("nemo_sft_full.yaml", "nemo", "finetune", "model.restore_from_path", 11),
    ("nemo_continual.yaml", "nemo", "checkpoint", "model.restore_from_path", 8),
    ("nemo_sft_mandatory.yaml", "nemo", "finetune", "model.restore_from_path", 11),
    ("nemo_launcher_sft.yaml", "nemo", "finetune", "model.restore_from_path", 13),
    ("torchtitan_initial_load.toml", "torchtitan", "checkpoint", "checkpoint.initial_load_path", 19),
    ("litgpt_lora.yaml", "litgpt", "lora", "lora_r", 7),
    ("litgpt_full.yaml", "litgpt", "finetune", "checkpoint_dir", 3),
    ("levanter_lora.yaml", "levanter", "lora", "lora", 4),
    ("levanter_sft.yaml", "levanter", "finetune", "initialize_from_hf", 3),
    ("levanter_hf_init.yaml", "levanter", "checkpoint", "initialize_from_hf", 3),
    ("hf_sft_chat.yaml", "hf-training-args", "finetune", "chat_template", 5),
    ("trl_grpo.yaml", "hf-training-args", "finetune", "num_generations", 9),
    ("axolotl_full_sft.yaml", "axolotl", "finetune", "datasets", 4),
    ("llama_factory_default_lora.yaml", "llama-factory", "lora", None, None),
    ("llama_factory_pt_full.yaml", "llama-factory", "checkpoint", "model_name_or_path", 3),
    ("llama_factory_scratch.yaml", "llama-factory", "scratch", "train_from_scratch", 7),
]


def recipe(name: str, **settings):
    return load_recipe([str(INIT / name)], Settings(**settings)).recipe


def check_json(*args):
    result = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)["diagnostics"]


@pytest.mark.parametrize(("name", "dialect", "init", "key", "line"), CASES)
def test_init_fact_names_the_key_that_decided_it(name, dialect, init, key, line):
    r = recipe(name)
    assert r.dialects[0] == dialect
    fact = r.get("init")
    assert fact is not None and fact.value == init
    if key is None:
        assert fact.source.kind == "default" and fact.source.note
    else:
        assert (fact.source.kind, fact.source.key, fact.source.line) == ("key", key, line)


@pytest.mark.parametrize(("name", "dialect", "init", "key", "line"),
                         [c for c in CASES if c[2] != "scratch"])
def test_not_from_scratch_is_sl305_at_that_key_and_silences_only_sl301_to_sl303(name, dialect, init, key, line):
    found = check_json(str(INIT / name))
    codes = {d["code"] for d in found}
    assert "SL305" in codes and not codes & {"SL301", "SL302", "SL303"}
    [sl305] = [d for d in found if d["code"] == "SL305"]
    assert sl305["severity"] == "info"
    if line is not None:
        assert sl305["line"] == line
    word = {"lora": "LoRA", "finetune": "fine-tuning", "checkpoint": "continued pre-training"}[init]
    assert word in sl305["message"]


@pytest.mark.parametrize("name", [c[0] for c in CASES if c[2] == "scratch"])
def test_from_scratch_is_not_sl305(name):
    assert "SL305" not in {d["code"] for d in check_json(str(INIT / name))}


def test_show_names_the_deciding_key():
    result = CliRunner().invoke(cli, ["show", "--isolated", str(INIT / "megatron_no_load_optim.sh")])
    assert result.exit_code == 0, result.output
    [row] = [line for line in result.output.splitlines() if line.lstrip().startswith("init ")]
    assert "checkpoint" in row and "megatron_no_load_optim.sh:12:5 --no-load-optim" in row


def test_show_json_init_source_is_the_key():
    result = CliRunner().invoke(cli, ["show", "--isolated", "--format", "json", str(INIT / "nemo_peft_lora.yaml")])
    source = json.loads(result.output)["recipes"][0]["facts"]["init"]["source"]
    assert source["kind"] == "key" and source["key"] == "model.peft.peft_scheme" and source["line"] == 17


def test_megatron_resume_with_a_fresh_optimizer_is_a_warm_start_but_same_dir_alone_is_a_resume():
    assert recipe("megatron_resume.sh").value("init") == "scratch"
    assert recipe("megatron_no_load_optim.sh").value("init") == "checkpoint"


def test_llama_factory_defaults_are_sft_with_lora():
    fact = recipe("llama_factory_default_lora.yaml").get("init")
    assert fact.source.kind == "default" and "lora" in fact.source.note
