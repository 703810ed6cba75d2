"""Typed rule options (issue 15 item 6): each rule declares its options with a type and a
range, and settings are checked against them when read, so a wrong value is a settings
error at file:line:col (exit 2), never a rule that crashes or compares a string."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT
from steplint.cli import cli
from steplint.rules.registry import all_rules
from steplint.settings import SettingsError, read_settings_file

EXAMPLE = REPO_ROOT / "examples" / "megatron_gpt_800m.yaml"


def _settings(tmp_path, text: str):
    path = tmp_path / ".steplint.toml"
    path.write_text(text)
    return path


def test_every_option_is_typed_and_its_default_fits_its_own_declaration():
    from steplint.rules.base import Option

    declared = [(r.code, name, spec) for r in all_rules() for name, spec in r.options.items()]
    assert declared, "no rule declares an option"
    for code, name, spec in declared:
        assert isinstance(spec, Option), f"{code}.{name} has no type"
        assert spec.problem(spec.default) == "", f"{code}.{name}: default {spec.default!r} {spec.problem(spec.default)}"


@pytest.mark.parametrize(
    "table, where, says",
    [
        ('[rules.SL204]\nmax_fraction = "lots"\n', ":2:16:", "should be a number, not 'lots'"),
        ("[rules.SL402]\nmfu = 3.5\n", ":2:7:", "should be at most 1"),
        ("[rules.SL402]\nmfu = 0\n", ":2:7:", "greater than 0"),
        ("[rules.SL601]\nmultiple = 6.4\n", ":2:12:", "whole number"),
        ("[rules.SL601]\nmultiple = true\n", ":2:12:", "whole number"),
        ("[rules.SL502]\nmax_eps = nan\n", ":2:11:", "finite"),
        ("[rules.token-budget]\nmfux = 0.5\n", ":2:1:", "has no option `mfux`"),
        ("[rules.SL999]\nx = 1\n", ":1:8:", "no rule has this code or name"),
    ],
)
def test_a_bad_rule_option_is_a_located_settings_error(tmp_path, table, where, says):
    with pytest.raises(SettingsError) as error:
        read_settings_file(_settings(tmp_path, table))
    message = str(error.value)
    assert where in message and says in message, message


def test_good_rule_options_are_read_and_reach_the_rule(tmp_path):
    settings = read_settings_file(_settings(tmp_path, "[rules.SL204]\nmax_fraction = 0.5\n"))
    assert settings.rule_options["SL204"]["max_fraction"] == 0.5


def test_check_exits_2_naming_the_settings_line(tmp_path):
    """The ux-adoption acceptance case: pyproject.toml with two wrongly typed options."""
    (tmp_path / "cfg.yaml").write_text(EXAMPLE.read_text())
    (tmp_path / "pyproject.toml").write_text(
        '[tool.steplint.rules.SL204]\nmax_fraction = "lots"\n[tool.steplint.rules.SL402]\nmfu = 3.5\n'
    )
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "cfg.yaml")])
    assert result.exit_code == 2
    assert "pyproject.toml:2:16:" in result.output and "internal error" not in result.output
