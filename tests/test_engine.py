"""The engine's pure core on hand-made recipes, and the streaming loop with stub edges."""

from types import SimpleNamespace

import pytest

from steplint import engine
from steplint.diagnostics import Diagnostic, Severity
from steplint.documents.load import load_document
from steplint.documents.nodes import lookup
from steplint.recipe import Recipe, fact, key_source
from steplint.rules.base import Rule, RuleDocs
from steplint.rules.registry import all_rules
from steplint.selection import Selection
from steplint.settings import Settings

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
