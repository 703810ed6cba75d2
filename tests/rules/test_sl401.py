import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.rules.sl401_tokens_per_param import RULE

KEYS = {"tokens": "data.tokens"}


def _case(kind, tokens, **values):
    values.setdefault("n_params", 500000000)
    return config_case(kind, {"data": {"tokens": tokens}}, KEYS, **values)


@pytest.mark.parametrize("kind", KINDS)
def test_under_five_tokens_per_parameter_warns(kind):
    # aprender#1708: a 500M model on about 22M tokens
    [d] = _case(kind, 22000000, n_params_total=600000000).run(RULE)
    assert d.severity is Severity.WARNING
    assert "0.044 tokens per parameter" in d.message and "0.0367 per parameter counting all 6e8" in d.message
    assert d.line == (3 if kind == "json" else 2)


@pytest.mark.parametrize("kind", KINDS)
def test_under_twenty_is_info(kind):
    [d] = _case(kind, 5000000000).run(RULE)
    assert d.severity is Severity.INFO and "10 tokens per parameter" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_compute_optimal_or_more_is_clean(kind):
    assert _case(kind, 20000000000).run(RULE) == []


def test_fine_tuning_is_not_judged():
    assert _case("yaml", 22000000, init="finetune").run(RULE) == []


def test_moe_is_judged_per_active_parameter():
    # MoE with 2.15e9 non-embedding parameters in all experts, 4.0e8 active (top-k), on 6e9 tokens:
    # 2.8 tokens per total parameter would be a warning; Chinchilla's ~20 is a dense result, and
    # per ACTIVE parameter it is 15: info, worded in active parameters
    [d] = _case("yaml", 6000000000, n_params=2150000000, n_params_active=400000000).run(RULE)
    assert d.severity is Severity.INFO
    assert "4e8 active non-embedding parameters (MoE; 2.15e9 in all experts) is 15 tokens per active parameter" in d.message


def test_moe_with_enough_tokens_per_active_parameter_is_clean():
    # 1e10 tokens / 4e8 active = 25 per active parameter (4.7 per total: a dense reading would warn)
    assert _case("yaml", 10000000000, n_params=2150000000, n_params_active=400000000).run(RULE) == []
