"""`--params N` / settings `params`, `--model DIR`, and `check --recipe a,b` without paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from steplint.cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NO_ARCH = FIXTURES / "hf" / "pretrain.yaml"  # config_name ./tiny-llama: N comes from that file
PARTIAL = FIXTURES / "deepspeed" / "ds_micro4.json"  # no architecture at all


def run(*args):
    return CliRunner().invoke(cli, list(args))


def show_json(*args):
    result = run("show", "--isolated", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["recipes"][0]


@pytest.mark.parametrize(("given", "value"), [("7B", 7_000_000_000), ("1.4e9", 1_400_000_000), ("350M", 350_000_000)])
def test_params_flag_gives_n_as_an_override(given, value):
    recipe = show_json(str(PARTIAL), "--params", given)
    n = recipe["facts"]["n_params"]
    assert n["value"] == value and n["source"] == {"kind": "override", "setting": "--params"}
    assert recipe["facts"]["n_params_active"]["value"] == value
    assert "n_params" not in {m["field"] for m in recipe["missing"]}


def test_without_params_sl005_names_params_as_the_supply():
    result = run("check", "--isolated", "--output-format", "json", "--select", "SL005", str(PARTIAL))
    [d] = json.loads(result.output)["diagnostics"]
    fields, supply = d["message"].split("):", 1)
    assert "n_params" in fields and "give --params," in supply


def test_params_on_check_reaches_the_rules():
    result = run("check", "--isolated", "--output-format", "json", "--select", "SL005", "--params", "7B",
                 str(PARTIAL))
    [d] = json.loads(result.output)["diagnostics"]
    assert "n_params" not in d["message"].split("supply")[0]


def test_bad_params_is_a_usage_error():
    result = run("check", "--isolated", "--params", "seven", str(PARTIAL))
    assert result.exit_code == 2 and "--params 'seven' is not a number" in result.output


def test_settings_params(tmp_path):
    shutil.copy(PARTIAL, tmp_path / "ds.json")
    (tmp_path / ".steplint.toml").write_text('params = "1.3B"\n')
    result = run("show", "--format", "json", str(tmp_path / "ds.json"))  # not --isolated: read the settings
    n = json.loads(result.output)["recipes"][0]["facts"]["n_params"]
    assert n["value"] == 1_300_000_000 and n["source"]["kind"] == "override"


def test_settings_params_must_be_a_quantity(tmp_path):
    shutil.copy(PARTIAL, tmp_path / "ds.json")
    (tmp_path / ".steplint.toml").write_text('params = "lots"\n')
    result = run("check", str(tmp_path / "ds.json"))
    assert result.exit_code == 2 and ".steplint.toml:1:" in result.output and "params" in result.output


def test_model_takes_a_folder_holding_config_json():
    by_file = show_json(str(PARTIAL), "--model", str(FIXTURES / "hf" / "tiny-llama" / "config.json"))
    by_dir = show_json(str(PARTIAL), "--model", str(FIXTURES / "hf" / "tiny-llama"))
    assert by_dir["facts"]["n_params"]["value"] == by_file["facts"]["n_params"]["value"] == 3_014_656


@pytest.mark.parametrize("command", ["check", "show"])
def test_model_folder_without_config_json_is_a_clear_usage_error(command, tmp_path):
    result = run(command, "--isolated", str(PARTIAL), "--model", str(tmp_path))
    assert result.exit_code == 2
    assert "holds no config.json" in result.output and "Traceback" not in result.output


def test_check_recipe_without_paths_checks_the_recipe_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing to walk here: the files come from --recipe
    hf = FIXTURES / "hf"
    result = run("check", "--isolated", "--output-format", "json", "--recipe",
                 f"{hf / 'pretrain.yaml'},{hf / 'ds_zero2.json'}")
    summary = json.loads(result.output)["summary"]
    assert summary["files"] == 2
    assert {Path(d["file"]).name for d in json.loads(result.output)["diagnostics"]} <= {"pretrain.yaml",
                                                                                         "ds_zero2.json"}


def test_check_recipe_without_paths_reports_a_missing_member(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "--isolated", "--recipe", "absent.yaml,also.json")
    assert result.exit_code == 2 and "absent.yaml: no such file or directory" in result.output


def test_show_recipe_without_paths():
    hf = FIXTURES / "hf"
    recipe = show_json("--recipe", f"{hf / 'pretrain.yaml'},{hf / 'ds_zero2.json'}")
    assert [Path(f).name for f in recipe["files"]][:2] == ["pretrain.yaml", "ds_zero2.json"]


def test_params_over_a_file_that_gives_n_says_which_n_it_replaces():
    result = run("show", "--isolated", "--params", "7B", str(FIXTURES / "init" / "levanter_hf_init.yaml"))
    assert result.exit_code == 0
    assert "--params gives N = 7,000,000,000; the files give 6,476,005,376" in result.output
