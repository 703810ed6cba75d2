import pytest

from rule_recipes import case, where
from steplint.diagnostics import Severity
from steplint.rules.sl202_min_lr_order import RULE

KEYS = {"peak_lr": "optim.lr", "min_lr": "optim.min_lr"}
TEXTS = {
    "yaml": "optim:\n  lr: {lr}\n  min_lr: {min_lr}\n",
    "json": '{{\n  "optim": {{\n    "lr": {lr},\n    "min_lr": {min_lr}\n  }}\n}}\n',
    "toml": "[optim]\nlr = {lr}\nmin_lr = {min_lr}\n",
}
# (line, column) of the min_lr value in each text
MIN_LR_AT = {"yaml": (3, 11), "json": (4, 15), "toml": (3, 10)}


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_floor_above_peak_is_an_error_at_the_floor(kind):
    c = case(TEXTS[kind].format(lr="3.0e-4", min_lr="3.0e-3"), kind, KEYS, decay_style="cosine")
    [d] = c.run(RULE)
    assert where(d) == ("SL202", *MIN_LR_AT[kind])
    assert d.severity is Severity.ERROR
    assert "min LR 3.0e-3 is above the peak LR 3.0e-4" in d.message
    assert d.related and d.related[0].line == MIN_LR_AT[kind][0] - 1


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_floor_equal_to_peak_with_decay_is_a_warning(kind):
    c = case(TEXTS[kind].format(lr="3.0e-4", min_lr="3.0e-4"), kind, KEYS, decay_style="cosine")
    [d] = c.run(RULE)
    assert where(d) == ("SL202", *MIN_LR_AT[kind])
    assert d.severity is Severity.WARNING
    assert "never decays" in d.message


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_floor_below_peak_is_clean(kind):
    c = case(TEXTS[kind].format(lr="3.0e-4", min_lr="1.0e-5"), kind, KEYS, decay_style="cosine")
    assert c.run(RULE) == []


def test_equal_floor_with_constant_schedule_is_clean():
    c = case(TEXTS["yaml"].format(lr="3.0e-4", min_lr="3.0e-4"), "yaml", KEYS, decay_style="constant")
    assert c.run(RULE) == []


def test_missing_floor_is_not_this_rules_business():
    c = case("optim:\n  lr: 3.0e-4\n", "yaml", {"peak_lr": "optim.lr"})
    assert c.run(RULE) == []
