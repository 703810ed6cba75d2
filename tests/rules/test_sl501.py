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


def test_high_beta2_at_a_small_batch_is_clean():
    # β2 0.99 at 0.5M tokens per step: half-life 69 steps = 3.45e7 tokens, below Llama 2's ~5.7e7
    # (0.95 at 4Mi tokens); Porian et al. found a higher β2 is what works at small batches
    c = config_case("yaml", {"optim": {"beta2": 0.99}}, {"adam_beta2": "optim.beta2"}, global_batch_tokens=500000)
    assert c.run(RULE) == []


def test_slow_beta2_at_a_large_batch_names_the_beta2_that_keeps_the_half_life():
    # β2 0.999 at 1Mi tokens: 693 steps = 7.27e8 tokens, 13x Llama 2's 5.67e7; keeping that
    # half-life at this batch is 0.5 ** (1048576 / 5.67e7) = 0.987
    c = config_case("yaml", {"optim": {"beta2": 0.999}}, {"adam_beta2": "optim.beta2"}, global_batch_tokens=1048576)
    [d] = c.run(RULE)
    assert "13x Llama 2's" in d.message and "β2 ≈ 0.987" in d.message


def test_without_a_batch_it_says_it_cannot_tell():
    c = config_case("yaml", {"optim": {"beta2": 0.999}}, {"adam_beta2": "optim.beta2"})
    [d] = c.run(RULE)
    assert d.severity is Severity.INFO and "cannot tell" in d.message and "Porian" in d.message
