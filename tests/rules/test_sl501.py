import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.rules.sl501_adam_beta2 import RULE, half_life_tokens


@pytest.mark.parametrize("kind", KINDS)
def test_slow_beta2_reports_half_life_in_tokens(kind):
    c = config_case(kind, {"optim": {"beta2": 0.999}}, {"adam_beta2": "optim.beta2"}, global_batch_tokens=4194304)
    [d] = c.run(RULE)
    assert d.severity is Severity.INFO
    assert "half-life of 693 steps = 2.91e9 tokens at 4,194,304 tokens per step" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_beta2_095_is_clean(kind):
    c = config_case(kind, {"optim": {"beta2": 0.95}}, {"adam_beta2": "optim.beta2"})
    assert c.run(RULE) == []


def test_half_life_of_llama2_recipe_is_about_54m_tokens():
    assert half_life_tokens(0.95, 4e6) == pytest.approx(54.05e6, rel=1e-3)
