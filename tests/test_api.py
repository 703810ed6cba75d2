"""steplint.api, the library entry point: the same findings and recipes as the commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from steplint.api import lint, load_recipes
from steplint.cli import cli
from steplint.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"


def _fixture(tmp_path: Path, name: str) -> str:
    target = tmp_path / name
    shutil.copy(FIXTURES / name, target)
    return str(target)


def test_lint_returns_what_check_reports(tmp_path):
    paths = [_fixture(tmp_path, name) for name in sorted(p.name for p in FIXTURES.glob("*.yaml"))[:4]]
    report = lint(paths, Settings())
    result = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", *paths])
    shown = json.loads(result.output)
    assert report.files_checked == len(paths)
    assert [(d.code, d.line, d.column, d.message) for d in report.diagnostics] == [
        (d["code"], d["line"], d["column"], d["message"]) for d in shown["diagnostics"]]
    assert report.diagnostics, "the fixtures were chosen to have findings"


def test_load_recipes_reads_one_recipe_per_file(tmp_path):
    optimal = _fixture(tmp_path, "optimal.yaml")
    [loaded] = list(load_recipes([optimal], Settings()))
    assert loaded.recipe.files == (optimal,)
    assert loaded.recipe.value("n_params") and loaded.recipe.value("peak_lr")
    assert loaded.recipe.glue is not None  # the dialects' tables the cross-file rules read


def test_load_recipes_is_lazy_and_says_when_a_path_is_missing(tmp_path):
    recipes = load_recipes([str(tmp_path / "nowhere.yaml")], Settings())
    try:
        next(recipes)
    except Exception as error:  # MissingPathError: a clear line, as the commands print it
        assert "nowhere.yaml" in str(error)
    else:
        raise AssertionError("a missing path loaded")


def test_rule_findings_and_exclusions_on_a_loaded_recipe(tmp_path):
    optimal = _fixture(tmp_path, "optimal.yaml")
    from steplint.api import rule_findings, steplaw_exclusions

    [loaded] = list(load_recipes([optimal], Settings()))
    assert steplaw_exclusions(loaded.recipe) == ()  # a dense pre-training recipe: the law applies
    assert rule_findings(loaded, Settings(), "SL701") == []  # no DeepSpeed file in it
    try:
        rule_findings(loaded, Settings(), "SL999")
    except ValueError as error:
        assert "SL999" in str(error)
    else:
        raise AssertionError("an unknown code ran")
