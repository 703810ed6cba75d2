"""`steplint show`: JSON against its schema, positions of every value, text table, exit codes."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO_ROOT, shared_path
from steplint.cli import cli

HF = FIXTURES / "hf"
PRETRAIN = str(HF / "pretrain.yaml")
CONFIG = str(HF / "tiny-llama" / "config.json")


def show(*args: str):
    return CliRunner().invoke(cli, ["show", *args, "--isolated"])


def show_json(*args: str, exit_code: int = 0) -> dict:
    result = show(*args, "--format", "json")
    assert result.exit_code == exit_code, result.output
    return json.loads(result.output)


def test_json_output_validates_against_the_schema():
    import jsonschema

    schema = json.loads((REPO_ROOT / "schemas" / "show.schema.json").read_text())
    for args in ([PRETRAIN, "--world-size", "16"], [PRETRAIN], [str(HF / "notes.yaml")],
                 [str(HF / "missing_ds.yaml"), str(HF / "sft_lr_string.yaml")]):
        result = show(*args, "--format", "json")
        jsonschema.validate(json.loads(result.output), schema)


def test_every_value_read_from_a_file_has_its_line_and_column():
    doc = show_json(PRETRAIN, "--world-size", "16")
    [recipe] = doc["recipes"]
    where = {name: (os.path.basename(f["source"]["file"]), f["source"]["key"], f["source"]["line"],
                    f["source"]["column"])
             for name, f in recipe["facts"].items() if f["source"]["kind"] == "key"}
    assert where == {
        "init": ("pretrain.yaml", "config_name", 2, 14),
        "seq_len": ("pretrain.yaml", "block_size", 4, 13),
        "micro_batch": ("pretrain.yaml", "per_device_train_batch_size", 5, 30),
        "grad_accum": ("pretrain.yaml", "gradient_accumulation_steps", 6, 30),
        "peak_lr": ("pretrain.yaml", "learning_rate", 7, 16),
        "decay_style": ("pretrain.yaml", "lr_scheduler_type", 8, 20),
        "min_lr": ("pretrain.yaml", "lr_scheduler_kwargs.min_lr", 10, 11),
        "warmup_steps": ("pretrain.yaml", "warmup_steps", 11, 15),
        "train_steps": ("pretrain.yaml", "max_steps", 12, 12),
        "weight_decay": ("pretrain.yaml", "weight_decay", 13, 15),
        "adam_beta2": ("pretrain.yaml", "adam_beta2", 14, 13),
        "grad_clip": ("pretrain.yaml", "max_grad_norm", 15, 16),
        "optimizer": ("pretrain.yaml", "optim", 16, 8),
        "precision": ("pretrain.yaml", "bf16", 17, 7),
        "hidden_size": ("config.json", "hidden_size", 4, 18),
        "ffn_hidden_size": ("config.json", "intermediate_size", 5, 24),
        "num_layers": ("config.json", "num_hidden_layers", 6, 24),
        "num_attention_heads": ("config.json", "num_attention_heads", 7, 26),
        "num_kv_heads": ("config.json", "num_key_value_heads", 8, 26),
        "max_position_embeddings": ("config.json", "max_position_embeddings", 9, 30),
        "rope_theta": ("config.json", "rope_theta", 10, 17),
        "vocab_size": ("config.json", "vocab_size", 12, 17),
    }
    kinds = {name: f["source"]["kind"] for name, f in recipe["facts"].items()}
    assert kinds["n_params"] == kinds["tokens"] == kinds["global_batch_tokens"] == "derived"
    assert kinds["world_size"] == "override" and kinds["adam_beta1"] == "default"
    assert recipe["missing"] == []


def test_steplaw_block_and_penalty():
    [recipe] = show_json(PRETRAIN, "--world-size", "16")["recipes"]
    law, penalty = recipe["steplaw"], recipe["penalty"]
    from steplint.laws.steplaw import optimal_lr

    n, d = recipe["facts"]["n_params"]["value"], recipe["facts"]["tokens"]["value"]
    assert law["lr"] == optimal_lr(n, d) and law["applies"] is True
    assert penalty["lr"] == 6e-4 and penalty["lr_ratio"] == pytest.approx(6e-4 / law["lr"])
    assert penalty["batch_tokens"] == 524288 and penalty["penalty"]["percent"] > 0


def test_without_n_or_d_there_is_no_placement_and_missing_says_what_supplies_it():
    [recipe] = show_json(str(HF / "sft_lr_string.yaml"), exit_code=1)["recipes"]
    assert recipe["steplaw"] is None and recipe["penalty"] is None
    missing = {m["field"]: m["supply"] for m in recipe["missing"]}
    assert "--model" in missing["n_params"] and "--world-size" in missing["world_size"]


def test_text_is_a_table_with_sources_missing_and_a_summary():
    result = show(str(HF / "sft_lr_string.yaml"), "--model", CONFIG)
    assert result.exit_code == 1  # the PyYAML string `1e-4` is an SL004 input error
    out = result.output
    assert "peak_lr" in out and "sft_lr_string.yaml:2:16 learning_rate" in out
    assert "missing (and what supplies it):" in out and "world_size" in out
    assert "SL004" in out
    assert "Step Law does not apply: LoRA" in out
    assert out.rstrip().splitlines()[-1].startswith("1 recipe from 2 files")


def test_exit_codes():
    assert show("no/such/file.yaml").exit_code == 2
    assert show(PRETRAIN, "--model", "no/such/config.json").exit_code == 2
    assert show(PRETRAIN, "--dialect", "nonsense").exit_code == 2
    assert show(PRETRAIN, "--world-size", "-3").exit_code == 2
    assert show(str(HF / "notes.yaml")).exit_code == 0  # SL003 is info


def test_unparsable_input_is_a_diagnostic_in_json_and_exit_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("learning_rate: [1, 2\n")
    result = show(str(bad), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert [d["code"] for d in doc["diagnostics"]] == ["SL001"]


def test_recipe_groups_load_files_together():
    doc = show_json("--recipe", f"{HF / 'other_lr.yaml'},{PRETRAIN}", PRETRAIN)
    [recipe] = doc["recipes"]
    assert [d["code"] for d in doc["diagnostics"]].count("SL006") >= 1
    assert recipe["facts"]["peak_lr"]["value"] in (3e-4, 6e-4)


@pytest.mark.corpus
def test_corpus_hf_counts_in_show_json():
    folder = shared_path("corpus", "hf")
    expected = json.loads((folder / "expected.json").read_text())
    doc = show_json(*(str(folder / name) for name in sorted(expected)))
    by_file = {os.path.basename(r["files"][0]): r["facts"] for r in doc["recipes"]}
    for name, e in expected.items():
        facts = by_file[name]
        active = e["moe"]["step_law_Na"] if e.get("moe") else e["step_law_N"]
        assert (facts["n_params"]["value"], facts["n_params_active"]["value"], facts["n_params_total"]["value"]) \
            == (e["step_law_N"], active, e["total"]), name


def test_seq_len_4k_is_4096():
    doc = show_json(PRETRAIN, "--seq-len", "4k")
    [recipe] = doc["recipes"]
    assert recipe["facts"]["seq_len"]["value"] == 4096
    assert "4k = 4096" in " ".join(CliRunner().invoke(cli, ["show", "--help"]).output.split())


def test_hf_args_vs_deepspeed_micro_batch_is_shown_once_with_both_locations():
    doc = show_json(str(FIXTURES / "deepspeed" / "hf_args.yaml"))
    [d] = [d for d in doc["diagnostics"] if d["code"] in ("SL006", "SL701")]
    assert (d["code"], os.path.basename(d["file"]), d["line"], d["column"]) == ("SL701", "hf_args.yaml", 3, 30)
    assert [(os.path.basename(r["file"]), r["line"], r["column"]) for r in d["related"]] == [("ds_micro4.json", 2, 37)]
    # the text form names both sides too, and `check` reports the same single finding
    text = show(str(FIXTURES / "deepspeed" / "hf_args.yaml")).output
    assert "hf_args.yaml:3:30: SL701" in text and "ds_micro4.json:2:37: " in text
    checked = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json",
                                       str(FIXTURES / "deepspeed" / "hf_args.yaml")])
    [c] = [c for c in json.loads(checked.output)["diagnostics"] if c["code"] in ("SL006", "SL701")]
    assert (c["line"], c["column"], c["related"]) == (d["line"], d["column"], d["related"])


def test_each_recipe_reads_its_own_settings_file(tmp_path):
    for folder, world in (("a", 8), ("b", 16)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / ".steplint.toml").write_text(f"world-size = {world}\n")
        (tmp_path / folder / "pretrain.yaml").write_text((HF / "pretrain.yaml").read_text())
    paths = [str(tmp_path / f / "pretrain.yaml") for f in ("a", "b")]
    result = CliRunner().invoke(cli, ["show", *paths, "--format", "json"])
    worlds = [r["facts"]["world_size"]["value"] for r in json.loads(result.output)["recipes"]]
    assert worlds == [8, 16]
    result = CliRunner().invoke(cli, ["show", *paths, "--format", "json", "--world-size", "4"])
    assert [r["facts"]["world_size"]["value"] for r in json.loads(result.output)["recipes"]] == [4, 4]
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / ".steplint.toml").write_text("wrold-size = 16\n")
    (tmp_path / "c" / "pretrain.yaml").write_text((HF / "pretrain.yaml").read_text())
    result = CliRunner().invoke(cli, ["show", paths[0], str(tmp_path / "c" / "pretrain.yaml")])
    assert result.exit_code == 2 and "c/.steplint.toml:1:1" in result.output and "Traceback" not in result.output
