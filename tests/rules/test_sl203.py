import math

import pytest

from catalog_cases import KINDS, config_case
from rule_recipes import where
from steplint.diagnostics import Severity
from steplint.rules.sl203_decay_horizon import RULE, lr_at

KEYS = {"train_steps": "sched.train_iters", "decay_end_step": "sched.lr_decay_iters"}


def _case(kind, decay, steps=100000, **values):
    values.setdefault("warmup_steps", 2000)
    values.setdefault("decay_style", "cosine")
    return config_case(kind, {"sched": {"train_iters": steps, "lr_decay_iters": decay}}, KEYS, **values)


@pytest.mark.parametrize("kind", KINDS)
def test_decay_ending_early_warns_with_a_fix_to_the_run_length(kind):
    [d] = _case(kind, 90000).run(RULE)
    assert d.severity is Severity.WARNING
    assert "ends at step 90,000 but the run has 100,000 steps" in d.message and "10.0% of the run" in d.message
    assert d.fix.expect[0].value == 100000 and d.fix.edits[0].replacement == "100000"
    assert where(d)[1] == (4 if kind == "json" else 3)


@pytest.mark.parametrize("kind", KINDS)
def test_decay_ending_after_the_run_states_the_last_lr(kind):
    [d] = _case(kind, 150000, peak_lr=3e-4, min_lr=1e-5).run(RULE)
    assert "never reaches its floor" in d.message
    expected = lr_at(100000, peak=3e-4, floor=1e-5, warmup=2000, end=150000, style="cosine")
    assert f"{expected:.3g}"[:4] in d.message.replace("e-0", "e-")


@pytest.mark.parametrize("kind", KINDS)
def test_decay_within_two_percent_is_clean(kind):
    assert _case(kind, 98500).run(RULE) == []


def test_one_step_short_is_how_a_short_schedule_ends():
    """A 30-step smoke test whose cosine reaches the floor at step 29 (MaxText counts from 0):
    3.3% of the run, but one step, not a horizon mistake; two steps short still warns."""
    assert _case("yaml", 29, steps=30, warmup_steps=0).run(RULE) == []
    [d] = _case("yaml", 28, steps=30, warmup_steps=0).run(RULE)
    assert d.severity is Severity.WARNING and "ends at step 28 but the run has 30 steps" in d.message


def test_post_warmup_length_convention_is_fixed_in_that_convention():
    # HF WSD num_decay_steps-style: the key holds the length after warmup (88,000 + 2,000 = 90,000)
    c = config_case("yaml", {"sched": {"train_iters": 100000, "num_decay_steps": 88000}},
                    {"train_steps": "sched.train_iters"}, warmup_steps=2000, decay_style="cosine")
    from steplint.recipe import fact, key_source
    node = c.documents["cfg.yaml"].root.get("sched").get("num_decay_steps")
    facts = dict(c.recipe.facts, decay_end_step=fact("decay_end_step", 90000, key_source("cfg.yaml", "sched.num_decay_steps", node.span)))
    from rule_recipes import Case
    from steplint.recipe import Notes, Recipe
    [d] = Case(Recipe(files=c.recipe.files, dialects=("test",), facts=facts), c.documents).run(RULE)
    assert d.fix.expect[0].value == 98000


def test_wsd_stopping_before_its_cooldown_is_info():
    [d] = _case("yaml", 120000, decay_style="wsd").run(RULE)
    assert d.severity is Severity.INFO and "before its cooldown" in d.message


def test_neox_cosine_that_climbs_back_says_so():
    from rule_recipes import Case
    from steplint.recipe import Notes, Recipe
    c = _case("yaml", 50000)
    c = Case(Recipe(files=c.recipe.files, dialects=("neox",), facts=c.recipe.facts,
                    file_notes={"x.yaml": Notes(cosine_climbs_back=(50000, 100000))}), c.documents)
    [d] = c.run(RULE)
    assert "climbs back toward the peak" in d.message


def test_constant_schedule_has_no_horizon():
    assert _case("yaml", 10, decay_style="constant").run(RULE) == []


def test_lr_at_matches_cosine_shape():
    assert lr_at(0, peak=1.0, floor=0.0, warmup=0, end=100, style="cosine") == 1.0
    assert math.isclose(lr_at(50, peak=1.0, floor=0.0, warmup=0, end=100, style="cosine"), 0.5)
    assert lr_at(200, peak=1.0, floor=0.1, warmup=0, end=100, style="linear") == pytest.approx(0.1)


def test_hold_at_the_floor_asked_for_by_constant_steps_is_info():
    # NeMo CosineAnnealing constant_steps: the launcher GPT-3 5B config holds min_lr for 12,500 of 75,000 steps
    from rule_recipes import Case
    from steplint.recipe import Notes, Recipe
    c = _case("yaml", 62500, steps=75000)
    c = Case(Recipe(files=c.recipe.files, dialects=("nemo",), facts=c.recipe.facts,
                    file_notes={"x.yaml": Notes(constant_steps=12500)}), c.documents)
    [d] = c.run(RULE)
    assert d.severity is Severity.INFO and "held there for the last 12,500 steps" in d.message
