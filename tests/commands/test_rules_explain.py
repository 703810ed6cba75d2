import json

import pytest
from click.testing import CliRunner

from steplint.cli import cli
from steplint.rules.registry import RULE_MODULES, all_rules, get_rule


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_rules_json_lists_every_registered_rule():
    r = run("rules", "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.output)["rules"]
    assert [row["code"] for row in rows] == [rule.code for rule in all_rules()]
    assert len(rows) == len(RULE_MODULES)
    sl301 = next(row for row in rows if row["code"] == "SL301")
    assert sl301 == {"code": "SL301", "name": "steplaw-recipe", "severity": "warning",
                     "summary": get_rule("SL301").summary, "fix": "safe"}


def test_rules_text_has_one_line_per_rule():
    lines = run("rules").output.splitlines()
    assert len(lines) == len(all_rules())
    assert lines[0].startswith("SL001  parse-error")


@pytest.mark.parametrize("rule", [r.code for r in all_rules()])
def test_every_rule_explains_itself_at_length(rule):
    r = run("explain", rule)
    assert r.exit_code == 0 and len(r.output) >= 200
    for section in ("## What it checks", "## Why it matters", "## How to suppress"):
        assert section in r.output
    assert f"steplint: ignore[{rule}]" in r.output


def test_explain_by_name_and_json():
    assert run("explain", "steplaw-lr").output == run("explain", "SL302").output
    doc = json.loads(run("explain", "sl302", "--format", "json").output)
    assert doc["code"] == "SL302" and doc["fix"] == "unsafe" and "Step Law" in doc["explanation"]


def test_unknown_rule_is_a_usage_error():
    r = run("explain", "SL999")
    assert r.exit_code == 2 and "no rule 'SL999'" in r.output


def test_registry_lookup():
    assert get_rule("sl202").name == "min-lr-order"
    assert get_rule(" steplaw-batch ").code == "SL303"
    assert get_rule("nothing") is None
