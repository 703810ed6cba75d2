import pytest

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules.registry import all_rules, get_rule
from steplint.selection import Selection, SelectorError, matches, per_file_ignores, selected_codes
from steplint.settings import Settings

RULES = all_rules()


def codes(**kw):
    return selected_codes(RULES, kw.get("select"), kw.get("extend_select", ()), kw.get("ignore", ()))


@pytest.mark.parametrize("selector, code, hit", [
    ("SL302", "SL302", True), ("sl3", "SL302", True), ("SL3", "SL202", False), ("SL", "SL001", True),
    ("steplaw-lr", "SL302", True), ("STEPLAW-LR", "SL302", True), ("steplaw", "SL302", False), ("ALL", "SL008", True),
])
def test_matches_codes_prefixes_names(selector, code, hit):
    assert matches(get_rule(code), selector) is hit


def test_default_is_every_rule():
    assert codes() == {r.code for r in RULES}


def test_select_extend_ignore():
    assert codes(select=("SL3",), ignore=("steplaw-batch",)) == {r.code for r in RULES if r.code.startswith("SL3")} - {"SL303"}
    assert codes(select=("SL302",), extend_select=("SL202",)) == {"SL302", "SL202"}


def test_unknown_selector_is_a_usage_error():
    with pytest.raises(SelectorError, match="'SL999' matches no rule"):
        Selection.from_settings(Settings(ignore=("SL999",)), RULES)
    with pytest.raises(SelectorError, match="nonsense"):
        Selection.from_settings(Settings(select=("nonsense",)), RULES)


def test_per_file_ignores_globs_relative_to_root(tmp_path):
    table = {"configs/*.json": ("SL101",), "legacy/**": ("SL3",), "!*.yaml": ("SL005",)}
    root = str(tmp_path)
    assert per_file_ignores(str(tmp_path / "configs/ds.json"), table, root) == ("SL101", "SL005")
    assert per_file_ignores(str(tmp_path / "legacy/a/b.yaml"), table, root) == ("SL3",)
    assert per_file_ignores(str(tmp_path / "train.yaml"), table, root) == ()


def test_severity_override_and_file_ignore(tmp_path):
    settings = Settings(root=str(tmp_path), severity={"steplaw-recipe": Severity.ERROR},
                        per_file_ignores={"ds.json": ("SL302",)})
    sel = Selection.from_settings(settings, RULES)
    d = Diagnostic("SL301", "steplaw-recipe", Severity.WARNING, "m", str(tmp_path / "a.yaml"))
    assert sel.level(d) is Severity.ERROR
    assert not sel.keeps(Diagnostic("SL302", "steplaw-lr", Severity.WARNING, "m", str(tmp_path / "ds.json")))
    assert sel.keeps(Diagnostic("SL302", "steplaw-lr", Severity.WARNING, "m", str(tmp_path / "other.json")))
