import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Applicability, Severity
from steplint.rules.sl204_warmup_length import RULE

KEYS = {"train_steps": "train.max_steps", "warmup_steps": "train.warmup_steps"}


def _case(kind, warmup, steps=1000, **values):
    values.setdefault("decay_end_step", steps)
    values.setdefault("adam_beta2", 0.95)
    return config_case(kind, {"train": {"max_steps": steps, "warmup_steps": warmup}}, KEYS, **values)


@pytest.mark.parametrize("kind", KINDS)
def test_warmup_as_long_as_the_run_is_an_error_with_unsafe_clamp(kind):
    [d] = _case(kind, 1000).run(RULE)
    assert d.severity is Severity.ERROR and "as long as the run (1,000 steps)" in d.message
    assert d.fix.applicability is Applicability.UNSAFE and d.fix.expect[0].value == 50  # min(2000, 5% of 1000)


@pytest.mark.parametrize("kind", KINDS)
def test_warmup_past_the_decay_end_is_an_error(kind):
    [d] = _case(kind, 600, decay_end_step=500).run(RULE)
    assert d.severity is Severity.ERROR and "step 500" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_warmup_over_twenty_percent_warns(kind):
    [d] = _case(kind, 300).run(RULE)
    assert d.severity is Severity.WARNING and "30.0%" in d.message and d.fix is None


@pytest.mark.parametrize("kind", KINDS)
def test_warmup_shorter_than_two_over_one_minus_beta2_is_info(kind):
    [d] = _case(kind, 100, adam_beta2=0.999).run(RULE)
    assert d.severity is Severity.INFO and "2/(1-β2) = 2,000 steps" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_reasonable_warmup_is_clean(kind):
    assert _case(kind, 100).run(RULE) == []  # 10% of the run, ≥ 40 steps for β2 0.95
