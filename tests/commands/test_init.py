"""`steplint init`: pyproject.toml when it exists, else .steplint.toml; never over existing
settings; the written settings load; the pre-commit snippet names the hook id we ship."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from steplint.cli import cli
from steplint.init_settings import plan_init, precommit_snippet
from steplint.settings import read_settings_file

REPO = Path(__file__).resolve().parents[2]


def init(tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(cli, ["init", *args])


def test_new_steplint_toml_loads_with_the_given_facts(tmp_path, monkeypatch):
    r = init(tmp_path, monkeypatch, "--world-size", "64", "--tokens", "1.4T", "--seq-len", "4k")
    assert r.exit_code == 0 and "wrote .steplint.toml" in r.output and "id: steplint" in r.output
    s = read_settings_file(tmp_path / ".steplint.toml")
    assert (s.world_size, s.tokens, s.seq_len) == (64, 1.4e12, 4096) and "SL3" in s.select


def test_pyproject_gets_the_section_appended(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    r = init(tmp_path, monkeypatch, "--world-size", "8")
    text = (tmp_path / "pyproject.toml").read_text()
    assert r.exit_code == 0 and text.startswith('[project]\nname = "x"\n\n[tool.steplint]\n')
    assert read_settings_file(tmp_path / "pyproject.toml").world_size == 8
    assert not (tmp_path / ".steplint.toml").exists()


def test_existing_settings_are_never_overwritten(tmp_path, monkeypatch):
    before = '[project]\nname = "x"\n[tool.steplint]\nworld-size = 16\n'
    (tmp_path / "pyproject.toml").write_text(before)
    r = init(tmp_path, monkeypatch, "--world-size", "8")
    assert r.exit_code == 0 and "already has" in r.output and (tmp_path / "pyproject.toml").read_text() == before
    assert plan_init({".steplint.toml": ""}).path is None
    assert plan_init({"pyproject.toml": "tool.steplint.world-size = 3\n"}).path is None


def test_bad_tokens_is_a_usage_error(tmp_path, monkeypatch):
    r = init(tmp_path, monkeypatch, "--tokens", "lots")
    assert r.exit_code == 2 and not (tmp_path / ".steplint.toml").exists()


def test_snippet_is_yaml_naming_a_shipped_hook():
    doc = yaml.safe_load(precommit_snippet())
    shipped = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert doc["repos"][0]["hooks"][0]["id"] in shipped
