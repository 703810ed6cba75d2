import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.rules.sl304_steplaw_range import RULE

KEYS = {"n_params": "model.n", "tokens": "data.tokens"}


def _case(kind, n, d, **values):
    return config_case(kind, {"model": {"n": n}, "data": {"tokens": d}}, KEYS, **values)


@pytest.mark.parametrize("kind", KINDS)
def test_a_7b_model_on_1_4t_tokens_is_an_extrapolation(kind):
    [d] = _case(kind, 7000000000, 1400000000000, seq_len=4096).run(RULE)
    assert d.severity is Severity.INFO
    assert "N (non-embedding parameters) 7e9" in d.message and "D (training tokens) 1.4e12" in d.message
    assert "sequence length 4,096 (fitted: 2,048)" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_inside_the_dense_grid_is_clean(kind):
    assert _case(kind, 500000000, 50000000000, seq_len=2048).run(RULE) == []


def test_moe_sparsity_outside_the_tested_fractions():
    [d] = _case("yaml", 2153000000, 8000000000, n_params_active=100000000, seq_len=2048).run(RULE)
    assert "MoE" in d.message and "active/total parameters (MoE sparsity) 0.0464" in d.message


def test_silent_when_step_law_does_not_apply():
    assert _case("yaml", 7000000000, 1400000000000, init="lora").run(RULE) == []


def test_sequence_length_alone_does_not_lower_the_verdicts():
    # 1.07e9 / 1e11 at seq_len 4096: a notice (the authors saw no effect), not a severity reducer
    from steplint.laws.verdict import verdict

    c = config_case("yaml", {"data": {"seq": 4096}}, {"seq_len": "data.seq"}, n_params=1.07e9, tokens=1e11)
    [d] = c.run(RULE)
    assert "sequence length 4,096" in d.message and "does not lower SL302/SL303" in d.message
    assert verdict(1.07e9, 1e11, 3.3e-4, None).lr_severity == "warning"  # verdict() takes no seq_len at all
