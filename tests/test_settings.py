"""Settings: discovery, conversion, and validation that agrees with the JSON Schema."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO_ROOT
from steplint.diagnostics import Severity
from steplint.settings import (
    RecipeGroup,
    Settings,
    SettingsError,
    find_settings_file,
    for_path,
    load_settings,
    read_settings_file,
    settings_for,
    validate,
    with_cli,
)

SCHEMA = json.loads((REPO_ROOT / "schemas" / "settings.schema.json").read_text())


def test_fixture_pyproject_converts_every_key():
    s = read_settings_file(FIXTURES / "settings" / "pyproject.toml")
    root = str(FIXTURES / "settings")
    assert (s.world_size, s.tokens, s.seq_len) == (64, 1.4e12, 2048)
    assert s.select == ("SL3", "SL1") and s.ignore == ("SL304",) and s.fail_on is Severity.ERROR
    assert s.severity == {"SL302": Severity.ERROR, "steplaw-batch": Severity.INFO}
    assert s.per_file_ignores == {"legacy/*.yaml": ("SL301",)}
    assert s.rule_options == {"SL401": {"warning_below": 5}}  # kebab-case option names are read too
    assert s.target_versions == {"megatron": "0.12"}
    assert (s.respect_gitignore, s.max_file_size, s.exclude) == (False, 2_000_000, ("build/**",))
    (group,) = s.recipes
    assert group.files == (f"{root}/neox/7B.yml", f"{root}/neox/train.yml")
    assert group.facts == {"world-size": 8, "tokens": 3e11}
    assert s.config_file.endswith("pyproject.toml") and s.root == root


def test_discovery_walks_up_and_prefers_steplint_toml(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.steplint]\nworld-size = 8\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'no steplint table'\n")
    cfg = deep / "run.yaml"
    cfg.write_text("x: 1\n")
    assert find_settings_file(deep) == tmp_path / "pyproject.toml"
    assert load_settings(paths=[str(cfg)]).world_size == 8
    assert settings_for(str(cfg)).world_size == 8
    (tmp_path / "a" / ".steplint.toml").write_text("world-size = 4\n")
    assert load_settings(start=deep).world_size == 4


def test_config_flag_isolated_and_cli_overrides(tmp_path):
    other = tmp_path / "team.toml"
    other.write_text("seq-len = \"4k\"\n")
    (tmp_path / ".steplint.toml").write_text("world-size = 2\n")
    assert load_settings(config=str(other), start=tmp_path).seq_len == 4096  # sequence lengths: k = 1024
    assert load_settings(isolated=True, start=tmp_path) == Settings()
    assert load_settings(start=tmp_path, cli_overrides={"world_size": 16}).world_size == 16
    with pytest.raises(SettingsError, match="not found"):
        load_settings(config=str(tmp_path / "missing.toml"))


@pytest.mark.parametrize(("text", "where", "says"), [
    ("[tool.steplint]\nworld_size = 3\n", "2:1", "kebab-case: `world-size`"),
    ("[tool.steplint]\nselekt = [\"SL1\"]\n", "2:1", "did you mean `select`"),
    ("[tool.steplint]\nworld-size = \"many\"\n", "2:14", "whole number"),
    ("[tool.steplint]\nfail-on = \"fatal\"\n", "2:11", "one of"),
    ("[tool.steplint]\ntokens = \"lots\"\n", "2:10", "not a number"),
    ("[[tool.steplint.recipes]]\nworld-size = 2\n", "1:", "needs `files`"),
    ("[tool.steplint.severity]\nSL101 = 2\n", "2:9", "one of"),
    ("[tool.steplint]\nworld-size = 8\nworld-size = 9\n", "3:", "world-size"),
])
def test_bad_settings_name_file_line_and_key(tmp_path, text, where, says):
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    with pytest.raises(SettingsError) as error:
        read_settings_file(path)
    message = str(error.value)
    assert f"pyproject.toml:{where}" in message and says in message
    assert "\n" not in message


VALID = [
    {},
    {"world-size": 8, "tokens": 1.4e12, "seq-len": "4k", "model": "config.json"},
    {"tokens": "300B", "max-file-size": 1024, "respect-gitignore": False},
    {"recipes": [{"files": ["a.yml", "b.yml"], "world-size": 64, "tokens": 3e11}]},
    {"select": ["SL3"], "severity": {"SL302": "info"}, "rules": {"SL401": {"x": 1}}, "fail-on": "info"},
    {"per-file-ignores": {"*.json": ["SL702"]}, "target-version": {"nemo": "2.0"}, "exclude": ["x/**"]},
]
INVALID = [
    {"world_size": 8},
    {"world-size": 0},
    {"world-size": True},
    {"world-size": 1.5},
    {"tokens": -1},
    {"tokens": "1.4Q"},
    {"recipes": [{"world-size": 2}]},
    {"recipes": [{"files": []}]},
    {"recipes": {"files": ["a"]}},
    {"select": "SL3"},
    {"severity": {"SL1": "fatal"}},
    {"rules": {"SL401": 5}},
    {"respect-gitignore": "yes"},
    {"model": ""},
    {"target-version": {"nemo": 2}},
]


@pytest.mark.parametrize("data", VALID + INVALID)
def test_builtin_validator_agrees_with_jsonschema(data):
    jsonschema = pytest.importorskip("jsonschema")
    reference = jsonschema.Draft202012Validator(SCHEMA)
    assert (not validate(data, SCHEMA)) == reference.is_valid(data), data
    assert (data in VALID) == reference.is_valid(data)


def test_schema_is_itself_a_valid_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_loading_settings_does_not_import_jsonschema(tmp_path):
    (tmp_path / ".steplint.toml").write_text("world-size = 8\n")
    code = ("import sys; from pathlib import Path; from steplint.settings import load_settings;"
            f"s = load_settings(start=Path({str(tmp_path)!r})); assert s.world_size == 8;"
            "assert 'jsonschema' not in sys.modules, 'jsonschema imported'")
    env_path = str(REPO_ROOT / "src")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": env_path, "PATH": ""})
    assert run.returncode == 0, run.stderr


def test_check_exits_2_with_one_line_for_bad_settings(tmp_path):
    (tmp_path / ".steplint.toml").write_text("wrold-size = 8\n")
    target = tmp_path / "a.yaml"
    target.write_text("a: 1\n")
    run = subprocess.run([sys.executable, "-m", "steplint", "check", str(target)], capture_output=True, text=True,
                         cwd=tmp_path, env={"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": ""})
    assert run.returncode == 2
    assert ".steplint.toml:1:1" in run.stderr and "world-size" in run.stderr and "Traceback" not in run.stderr


def test_an_empty_settings_file_is_found_and_means_defaults(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.steplint]\nworld-size = 8\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".steplint.toml").write_text("")
    s = load_settings(start=tmp_path / "sub")
    assert s.world_size is None and s.config_file == str(tmp_path / "sub" / ".steplint.toml")


def test_with_cli_lays_flags_over_a_file_and_for_path_repeats_it_per_folder(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / ".steplint.toml").write_text('ignore = ["SL3"]\nextend-select = ["SL4"]\nseq-len = 2048\n'
                                                    '[[recipes]]\nfiles = ["x.yaml"]\n')
    (tmp_path / "b" / ".steplint.toml").write_text('select = ["SL1"]\nseq-len = "8k"\n')
    group = RecipeGroup(files=("y.yaml",), origin="--recipe")
    cli = {"ignore": ("SL5",), "extend_select": ("SL6",), "seq_len": None, "world_size": 4, "recipes": (group,)}
    run = with_cli(read_settings_file(tmp_path / "a" / ".steplint.toml"), cli, discover=True)
    assert run.ignore == ("SL3", "SL5") and run.extend_select == ("SL4", "SL6") and run.world_size == 4
    assert run.recipes[0] is group and len(run.recipes) == 2 and run.seq_len == 2048
    assert for_path(run, str(tmp_path / "a" / "z.yaml")) is run
    b = for_path(run, str(tmp_path / "b" / "z.yaml"))
    assert (b.select, b.ignore, b.extend_select, b.world_size, b.seq_len) == (("SL1",), ("SL5",), ("SL6",), 4, 8192)
    assert b.recipes == (group,) and b.root == str(tmp_path / "b")
    pinned = with_cli(run, {}, discover=False)
    assert for_path(pinned, str(tmp_path / "b" / "z.yaml")) is pinned  # --config / --isolated
    with pytest.raises(SettingsError, match="unknown setting"):
        with_cli(Settings(), {"wrold_size": 1})
