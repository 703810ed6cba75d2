"""Messages a new user meets: explain/rules with a partial query, settings errors that name
the key in full and hint at the pyproject-only table, provenance without nested brackets,
and rule docs that never point at a path a user does not have."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from steplint.cli import cli
from steplint.rules.docs_text import markdown, rule_url
from steplint.rules.registry import all_rules
from steplint.settings import SettingsError, read_settings_file, spell_key


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_explain_a_word_lists_the_matching_rules():
    r = run("explain", "steplaw")
    assert r.exit_code == 0
    codes = re.findall(r"^  (SL\d{3}) ", r.output, re.M)
    assert codes == ["SL301", "SL302", "SL303", "SL304", "SL305"]
    assert run("explain", "nothing-like-this").exit_code == 2


def test_rules_filters_by_prefix_and_word():
    r = run("rules", "SL3")
    assert r.exit_code == 0 and [ln.split()[0] for ln in r.output.splitlines()] == ["SL301", "SL302", "SL303", "SL304", "SL305"]
    assert {ln.split()[0] for ln in run("rules", "batch").output.splitlines()} == {"SL101", "SL102", "SL103", "SL303"}
    assert run("rules", "SL9").exit_code == 2


@pytest.mark.parametrize("body, needle", [
    ('[tool.steplint]\nseverity = {SL302 = "loud"}\n', "`tool.steplint.severity.SL302` should be one of"),
    ('[tool.steplint]\nworld_size = 8\n', "unknown key `tool.steplint.world_size`; keys are kebab-case"),
    ('[tool.steplint]\nper-file-ignores = {"a.json" = "SL302"}\n', '`tool.steplint.per-file-ignores."a.json"`'),
    ('[[tool.steplint.recipes]]\nfile = ["a"]\n', "`tool.steplint.recipes[1]` needs `files`"),
])
def test_settings_errors_spell_the_key_in_full(tmp_path, body, needle):
    (tmp_path / "pyproject.toml").write_text(body)
    with pytest.raises(SettingsError) as info:
        read_settings_file(tmp_path / "pyproject.toml")
    assert needle in str(info.value) and re.search(r"pyproject\.toml:\d+:\d+: ", str(info.value))


def test_tool_table_outside_pyproject_gets_a_hint(tmp_path):
    (tmp_path / "lint.toml").write_text("[tool.steplint]\nworld-size = 8\n")
    with pytest.raises(SettingsError, match=r"lint\.toml:1:\d+: `\[tool\.steplint\]` is read only in pyproject\.toml"):
        read_settings_file(tmp_path / "lint.toml")


def test_spell_key():
    assert spell_key(("tool", "steplint", "per-file-ignores", "a/b.json")) == 'tool.steplint.per-file-ignores."a/b.json"'


def test_provenance_text_never_nests_parentheses():
    from steplint.recipe import default_source, override_source

    for source in (default_source("Megatron-Core TransformerConfig (as NeMo builds it)", "x defaults to 1 (MQA)"),
                   override_source("--world-size", "pyproject.toml")):
        depth, deepest = 0, 0
        for ch in source.describe():
            depth += {"(": 1, ")": -1}.get(ch, 0)
            deepest = max(deepest, depth)
        assert deepest <= 1, source.describe()


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_docs_point_only_at_what_a_user_has(rule):
    text = markdown(rule)
    assert "../shared" not in text and "/work/" not in text
    assert rule_url(rule).endswith(f"#{rule.code.lower()}-{rule.name}")
