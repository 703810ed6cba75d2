import json

import pytest
from click.testing import CliRunner

from conftest import shared_path
from rule_recipes import Case, case, where
from steplint.cli import cli
from steplint.diagnostics import Applicability, Severity
from steplint.documents.load import load_document
from steplint.documents.nodes import lookup
from steplint.fixing import apply_fixes
from steplint.recipe import Recipe, derived_source, fact
from steplint.rules.sl301_steplaw_recipe import RULE

KEYS = {"peak_lr": "sched.lr", "min_lr": "sched.min_lr", "decay_style": "sched.style"}
TEXTS = {
    "yaml": "sched:\n  lr: 3.0e-4\n  min_lr: {min_lr}  # keep me\n  style: {style}\n",
    "json": '{{"sched": {{\n  "lr": 3.0e-4,\n  "min_lr": {min_lr},\n  "style": "{style}"\n}}}}\n',
    "toml": '[sched]\nlr = 3.0e-4\nmin_lr = {min_lr}  # keep me\nstyle = "{style}"\n',
}
MIN_LR_AT = {"yaml": (3, 11), "json": (3, 13), "toml": (3, 10)}
STYLE_AT = {"yaml": (4, 10), "json": (4, 12), "toml": (4, 9)}


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_floor_at_a_tenth_of_peak_is_a_warning_with_a_safe_fix(kind):
    c = case(TEXTS[kind].format(min_lr="3.0e-5", style="cosine"), kind, KEYS)
    [d] = c.run(RULE)
    assert where(d) == ("SL301", *MIN_LR_AT[kind])
    assert d.severity is Severity.WARNING
    assert "min LR 3.0e-5 is above [5.0e-6, 2.0e-5]" in d.message
    # 3.0e-5 is peak/10 here: the clause about what the paper's Fig. 6 showed belongs
    assert "a floor of about peak/10, as here, moved the optimum to a smaller LR and a larger batch" in d.message
    assert d.fix.applicability is Applicability.SAFE

    result = apply_fixes([d], c.documents)
    [(path, text)] = result.texts.items()
    assert "1.0e-5" in text and "3.0e-5" not in text
    if kind != "json":
        assert "# keep me" in text
    value = lookup(load_document(path, text=text, kind=kind).root, "sched.min_lr").value
    assert isinstance(value, float) and value == 1e-5  # a float even under PyYAML's YAML 1.1


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_floor_of_one_e_minus_five_with_cosine_is_clean(kind):
    c = case(TEXTS[kind].format(min_lr="1.0e-5", style="cosine"), kind, KEYS)
    assert c.run(RULE) == []


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_non_cosine_schedule_is_blamed_at_the_style_key(kind):
    c = case(TEXTS[kind].format(min_lr="1.0e-5", style="linear"), kind, KEYS)
    [d] = c.run(RULE)
    assert where(d) == ("SL301", *STYLE_AT[kind])
    assert "linear, not cosine" in d.message
    assert d.severity is Severity.INFO
    assert d.fix is None


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_non_cosine_with_an_off_floor_is_one_finding_naming_both(kind):
    c = case(TEXTS[kind].format(min_lr="0.0", style="linear"), kind, KEYS)
    [d] = c.run(RULE)
    assert where(d) == ("SL301", *STYLE_AT[kind])
    assert "linear, not cosine" in d.message and "its floor is min LR 0" in d.message
    assert d.fix is None  # a floor of 1e-5 alone does not make a linear schedule Step Law's


@pytest.mark.corpus
def test_torchtitan_llama3_8b_gets_one_sl301():
    path = shared_path("corpus", "modern", "torchtitan", "llama3_8b.toml")
    r = CliRunner().invoke(cli, ["check", "--isolated", "--select", "SL301", "--output-format", "json", str(path)])
    assert [d["code"] for d in json.loads(r.output)["diagnostics"]] == ["SL301"]


def test_decimal_floor_is_fixed_in_decimal_style():
    c = case(TEXTS["yaml"].format(min_lr="0.00003", style="cosine"), "yaml", KEYS)
    [d] = c.run(RULE)
    assert d.fix.edits[0].replacement in ("0.00001", "1.0e-5")


def test_high_floor_that_is_not_peak_tenth_has_no_fig6_clause():
    # 1e-4 is a third of the 3e-4 peak: above the window (warning, safe fix), but not the floor Fig. 6 tested
    c = case(TEXTS["yaml"].format(min_lr="1.0e-4", style="cosine"), "yaml", KEYS)
    [d] = c.run(RULE)
    assert d.severity is Severity.WARNING and d.fix is not None
    assert "peak/10" not in d.message


@pytest.mark.parametrize("floor, phrase", [("0.0", "decays to zero"), ("1.0e-6", "below [5.0e-6, 2.0e-5]")])
def test_floor_below_the_window_or_zero_is_info_without_fix(floor, phrase):
    # the paper compares 1e-5 with peak/10 only: a lower floor is not shown to hurt
    c = case(TEXTS["yaml"].format(min_lr=floor, style="cosine"), "yaml", KEYS)
    [d] = c.run(RULE)
    assert d.severity is Severity.INFO and d.fix is None
    assert phrase in d.message and "lower floors were not shown to hurt" in d.message


def test_cosine_without_floor_is_reported_without_fix():
    c = case("sched:\n  lr: 3.0e-4\n  style: cosine\n", "yaml", {"peak_lr": "sched.lr", "decay_style": "sched.style"})
    [d] = c.run(RULE)
    assert where(d) == ("SL301", 3, 10)
    assert "not set" in d.message and d.fix is None


def test_floor_given_as_a_ratio_is_reported_but_not_rewritten():
    c = case("lr: 3.0e-4\nmin_lr_rate: 0.1\nstyle: cosine\n", "yaml", {"peak_lr": "lr", "decay_style": "style"})
    facts = dict(c.recipe.facts)
    facts["min_lr"] = fact("min_lr", 3e-5, derived_source("peak_lr * min_lr_rate", "peak_lr"))
    recipe = Recipe(files=c.recipe.files, dialects=c.recipe.dialects, facts=facts)
    c.recipe = recipe
    [d] = c.run(RULE)
    assert d.code == "SL301" and d.fix is None


@pytest.mark.parametrize("extra", [{"init": "finetune"}, {"parametrization": "mup"}, {"optimizer": "lion"}])
def test_silent_when_step_law_does_not_apply(extra):
    c = case(TEXTS["yaml"].format(min_lr="3.0e-5", style="linear"), "yaml", KEYS, **extra)
    assert c.run(RULE) == []


def test_floor_and_peak_no_file_states_are_a_notice():
    """A MaxText-style model file sets no schedule: the floor (peak x final fraction, both the
    framework's defaults) is not blamed on it as a warning; a floor written in the file still is."""
    c = case("model_name: demo\n", "yaml", {}, peak_lr=3e-4, decay_style="cosine")
    recipe = c.recipe._replace(facts={**c.recipe.facts, "min_lr": fact(
        "min_lr", 3e-5, derived_source("learning_rate * final_fraction", "learning_rate", "final_fraction"))})
    [d] = Case(recipe, c.documents).run(RULE)
    assert d.severity is Severity.INFO
    assert "these files set no LR schedule, so this is the framework's default" in d.message
    written = case(TEXTS["yaml"].format(min_lr="3.0e-5", style="cosine"), "yaml", KEYS)
    assert [x.severity for x in written.run(RULE)] == [Severity.WARNING]


def test_floor_at_the_peak_is_left_to_sl202():
    """lr 9e-5 with min_lr 9e-5 (a NeMo Launcher config): the LR never decays; SL202 says so,
    and calling it a high cosine floor would be wrong in kind."""
    text = "sched:\n  lr: 9.0e-5\n  min_lr: 9.0e-5\n  style: cosine\n"
    assert case(text, "yaml", KEYS).run(RULE) == []
