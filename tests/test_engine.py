"""The engine's pure core on hand-made recipes, and the streaming loop with stub edges."""

import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from steplint import engine
from steplint.diagnostics import Diagnostic, Severity
from steplint.documents.load import load_document
from steplint.documents.nodes import lookup
from steplint.recipe import Recipe, fact, key_source
from steplint.rules.base import Rule, RuleDocs
from steplint.rules.registry import all_rules
from steplint.selection import Selection
from steplint.cli import cli
from steplint.settings import Settings, read_settings_file, with_cli

TEXT = "optim:\n  lr: 3.0e-4\n  min_lr: 3.0e-3  # steplint: ignore[SL999]\n"


def _loaded(path="a.yaml", text=TEXT, extra=()):
    doc = load_document(path, text=text)
    facts = {}
    for name, key in (("peak_lr", "optim.lr"), ("min_lr", "optim.min_lr")):
        node = lookup(doc.root, key)
        facts[name] = fact(name, float(node.value), key_source(path, key, node.span))
    recipe = Recipe(files=(path,), dialects=("test",), facts=facts)
    upstream = (Diagnostic("SL007", "unresolved-reference", Severity.WARNING, "x", "other.json"),) + tuple(extra)
    return SimpleNamespace(recipe=recipe, documents={path: doc}, diagnostics=upstream)


def _selection(**kw):
    return Selection.from_settings(Settings(**kw), all_rules())


def test_rules_run_and_only_passed_files_report():
    out = engine.lint_loaded(_loaded(), ["a.yaml"], Settings(), _selection())
    found = [(d.code, d.line, d.column, str(d.severity)) for d in out.diagnostics]
    assert ("SL202", 3, 11, "error") in found  # min LR above the peak
    assert ("SL008", 3, 19, "warning") in found  # the directive names no rule
    assert all(d.file == "a.yaml" for d in out.diagnostics)  # other.json was not passed


def test_selection_and_severity_overrides_apply():
    out = engine.lint_loaded(_loaded(), ["a.yaml"], Settings(), _selection(ignore=("SL008", "SL3"), severity={"SL202": Severity.INFO}))
    assert [(d.code, str(d.severity)) for d in out.diagnostics] == [("SL202", "info")]


def test_inline_suppression_removes_the_finding():
    text = "optim:\n  lr: 3.0e-4\n  min_lr: 3.0e-3  # steplint: ignore[min-lr-order]\n"
    out = engine.lint_loaded(_loaded(text=text), ["a.yaml"], Settings(), _selection())
    assert [d.code for d in out.diagnostics if d.code in ("SL202", "SL008")] == []


def test_a_crashing_rule_names_itself_and_the_file(monkeypatch):
    def boom(ctx):
        raise ZeroDivisionError("division by zero")

    bad = Rule("SL999", "boom", Severity.ERROR, "crashes", RuleDocs("w", "y"), check=boom)
    sel = Selection.from_settings(Settings(), all_rules() + (bad,))
    with pytest.raises(engine.RuleCrash, match=r"internal error in rule SL999 \(boom\) on a.yaml: ZeroDivisionError"):
        engine.lint_loaded(_loaded(), ["a.yaml"], Settings(), sel)


def test_lint_streams_recipes_and_reports_a_shared_file_once(monkeypatch):
    shared = Diagnostic("SL004", "bad-value", Severity.ERROR, "bad", "ds.json", 2, 3)
    plans = [SimpleNamespace(files=("a.yaml", "ds.json")), SimpleNamespace(files=("b.yaml", "ds.json"))]
    monkeypatch.setattr(engine, "_plan", lambda files, settings: plans)
    loads = []

    def load(group, settings, stdin):
        loads.append(group.files)
        return _loaded(path=group.files[0], extra=(shared,))

    monkeypatch.setattr(engine, "_load", load)
    outcomes = engine.lint(["a.yaml", "b.yaml", "ds.json"], Settings(), _selection(select=("SL004", "SL202")))
    first = next(outcomes)
    assert loads == [("a.yaml", "ds.json")]  # the second recipe is not loaded yet
    second = next(outcomes)
    assert [d.code for d in first.diagnostics].count("SL004") == 1
    assert [d.code for d in second.diagnostics] == ["SL202"]  # ds.json's finding is not repeated


def test_a_crash_while_loading_names_the_files(monkeypatch):
    monkeypatch.setattr(engine, "_plan", lambda files, settings: [SimpleNamespace(files=("a.yaml", "ds.json"))])

    def load(group, settings, stdin):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(engine, "_load", load)
    with pytest.raises(engine.LoadCrash, match="internal error while reading a.yaml, ds.json: RecursionError"):
        next(engine.lint(["a.yaml"], Settings(), _selection()))


# ---------------------------------------------------------------------------------------
# per-file settings (architecture.md section 5): each file's nearest settings file


OFF_OPTIMUM = Path(__file__).parent / "fixtures" / "check" / "off_optimum.yaml"


def _tree(tmp_path, **settings_files):
    """Folders named by the keywords, each with its settings text and a copy of the
    off-optimum Megatron config (SL301, SL302, SL303, SL402)."""
    configs = {}
    for folder, text in settings_files.items():
        (tmp_path / folder / "sub").mkdir(parents=True)
        (tmp_path / folder / ".steplint.toml").write_text(text)
        for where in (tmp_path / folder, tmp_path / folder / "sub"):
            shutil.copy(OFF_OPTIMUM, where / "run.yaml")
        configs[folder] = str(tmp_path / folder / "run.yaml")
    return configs


def _check(*args):
    result = CliRunner().invoke(cli, ["check", "--output-format", "json", *args])
    found = {}
    for d in json.loads(result.output)["diagnostics"] if result.output.startswith("{") else ():
        found.setdefault(os.path.relpath(d["file"]), []).append((d["code"], d["severity"]))
    return result, found


def test_each_file_gets_its_own_settings_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = _tree(tmp_path, a='ignore = ["SL302"]\n', b='[severity]\nSL302 = "error"\nSL303 = "info"\n').values()
    result, found = _check(a, b)
    assert [code for code, _ in found["a/run.yaml"]] == ["SL402", "SL303", "SL301"]  # a ignores SL302
    assert ("SL302", "error") in found["b/run.yaml"] and ("SL303", "info") in found["b/run.yaml"]
    assert result.exit_code == 1
    # the same files in the other order: each still reads its own folder's settings
    assert _check(b, a)[1] == found


def test_command_line_flags_win_over_every_settings_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = _tree(tmp_path, a='select = ["SL3"]\n', b='ignore = ["SL303"]\nfail-on = "error"\n').values()
    _, found = _check(a, b, "--ignore", "SL301", "--extend-select", "SL402")
    assert sorted(found["a/run.yaml"]) == [("SL302", "warning"), ("SL303", "info"), ("SL402", "info")]
    assert sorted(found["b/run.yaml"]) == [("SL302", "warning"), ("SL402", "info")]
    _, found = _check(a, b, "--select", "SL303")
    assert found == {"a/run.yaml": [("SL303", "info")]}  # b's own ignore still applies


def test_config_and_isolated_apply_one_settings_to_every_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = _tree(tmp_path, a='ignore = ["SL3"]\n', b='ignore = ["SL4"]\n').values()
    _, found = _check(a, b, "--config", str(tmp_path / "b" / ".steplint.toml"))
    assert {code for codes in found.values() for code, _ in codes} == {"SL301", "SL302", "SL303"}
    _, found = _check(a, b, "--isolated")
    assert found["a/run.yaml"] == found["b/run.yaml"] and len(found["a/run.yaml"]) == 4


def test_per_file_ignores_are_relative_to_their_settings_file(tmp_path, monkeypatch):
    _tree(tmp_path, a='[per-file-ignores]\n"sub/*.yaml" = ["SL302"]\n', b='[per-file-ignores]\n"run.yaml" = ["SL303"]\n')
    monkeypatch.chdir(tmp_path / "b")  # neither glob is relative to the working directory
    paths = [str(tmp_path / f) for f in ("a/run.yaml", "a/sub/run.yaml", "b/run.yaml", "b/sub/run.yaml")]
    _, found = _check(*paths)
    codes = {os.path.relpath(f, tmp_path): {c for c, _ in v} for f, v in found.items()}
    assert codes["a/run.yaml"] == {"SL301", "SL302", "SL303", "SL402"}
    assert codes["a/sub/run.yaml"] == {"SL301", "SL303", "SL402"}
    # a glob without a slash matches the file name in any folder below (ruff's rule)
    assert codes["b/run.yaml"] == codes["b/sub/run.yaml"] == {"SL301", "SL302", "SL402"}


def test_facts_and_groups_come_from_each_files_settings(tmp_path):
    a, b = _tree(tmp_path, a="world-size = 8\n", b='world-size = 16\n[[recipes]]\nfiles = ["run.yaml"]\ntokens = "1T"\n').values()
    run = with_cli(read_settings_file(tmp_path / "a" / ".steplint.toml"), {}, discover=True)
    selection = Selection.from_settings(run, all_rules())
    recipes = {o.files[0]: o.recipe for o in engine.lint([a, b], run, selection)}
    assert recipes[a].value("world_size") == 8 and recipes[b].value("world_size") == 16
    assert recipes[b].value("tokens") == 1e12 and recipes[a].value("tokens") != 1e12
    run = with_cli(run, {"world_size": 4}, discover=True)
    recipes = {o.files[0]: o.recipe for o in engine.lint([a, b], run, selection)}
    assert recipes[a].value("world_size") == recipes[b].value("world_size") == 4


def test_bad_settings_next_to_a_later_file_is_exit_2_naming_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = _tree(tmp_path, a="", b='[per-file-ignores]\n"*.yaml" = ["SL9"]\n').values()
    result = CliRunner().invoke(cli, ["check", a, b])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "b/.steplint.toml" in result.output and "'SL9' matches no rule" in result.output


def _tame_reference(message):
    """engine._tame_text as it was before its fast path: escape, cut every run, cut the message."""
    import re

    tamed = message
    if not tamed.replace("\n", " ").isprintable():
        tamed = "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in tamed)
    tamed = re.sub(r"\S{201,}", lambda m: m.group(0)[:197] + "...", tamed)
    return tamed[:997] + "..." if len(tamed) > 1000 else tamed


def test_tame_text_fast_path_changes_nothing_the_regex_would_change():
    import random

    rng = random.Random(15)
    pieces = ["a", "b" * 50, "c" * 99, "d" * 100, "e" * 101, "f" * 199, "g" * 200, "h" * 201, "i" * 350,
              " ", "\n", "\t", "\u2028", "\xa0", "é"]
    cases = ["x" * n for n in (0, 199, 200, 201, 999, 1000, 1001)]
    cases += [" ".join(["w" * n] * 5) for n in (150, 200, 201)]
    for _ in range(3000):
        cases.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))
    changed = 0
    for message in cases:
        assert engine._tame_text(message) == _tame_reference(message), repr(message)
        changed += engine._tame_text(message) != message
    assert changed > 100  # the cases reach the slow path too
