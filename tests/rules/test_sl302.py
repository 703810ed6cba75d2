import pytest

from rule_recipes import case, where
from steplint.diagnostics import Applicability, Severity
from steplint.rules.sl302_steplaw_lr import RULE

# The paper's held-out point: N = 1.07e9, D = 1e11; the optimum is 1.58e-3 (steplaw.md 2.4).
LAW = {"n_params": 1.07e9, "tokens": 1e11}
TEXTS = {
    "yaml": "model: gpt\noptim:\n  lr: {lr}\n",
    "json": '{{"model": "gpt",\n "optim": {{"lr": {lr}}}}}\n',
    "toml": "model = 'gpt'\n[optim]\nlr = {lr}\n",
}
LR_AT = {"yaml": (3, 7), "json": (2, 18), "toml": (3, 6)}


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_lr_at_a_third_of_the_optimum_is_info_with_numbers(kind):
    # 0.38x: the landscape gives +0.48%, above info (0.25%), below the calibrated warning (0.85%)
    c = case(TEXTS[kind].format(lr="6.0e-4"), kind, {"peak_lr": "optim.lr"}, **LAW)
    [d] = c.run(RULE)
    assert where(d) == ("SL302", *LR_AT[kind])
    assert d.severity is Severity.INFO
    assert d.message.startswith("peak LR 6.0e-4 is 0.38x the Step Law optimum 1.58e-3 for N=1.07e9, D=1.0e11; ")
    assert "the LR costs about +0.48% of final loss" in d.message
    assert "band" not in d.message  # the bootstrap band is no tolerance
    assert "the grids' best runs sat at 0.96-1.6x the law's LR" in d.message
    assert d.fix.applicability is Applicability.UNSAFE
    assert d.fix.edits[0].replacement.replace("0.00158", "1.58e-3") == "1.58e-3"


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_lr_near_the_optimum_is_clean(kind):
    c = case(TEXTS[kind].format(lr="1.6e-3"), kind, {"peak_lr": "optim.lr"}, **LAW)
    assert c.run(RULE) == []


@pytest.mark.parametrize("lr", ["2.2e-3", "1.1e-3"])
def test_lr_one_grid_step_off_is_near_optimal_and_clean(lr):
    # 1.39x and 0.70x: measured 0.19% and 0.16% (steplaw.md 5.2), under the 0.25% warning threshold
    c = case(TEXTS["yaml"].format(lr=lr), "yaml", {"peak_lr": "optim.lr"}, **LAW)
    assert c.run(RULE) == []


@pytest.mark.parametrize("lr, severity, phrase", [
    ("8.0e-3", Severity.ERROR, "runs diverge"),  # 5x: divergence risk
    ("1.0e-4", Severity.ERROR, "at least +1.50%"),  # 1/16: the edge penalty is a lower bound (only LR clamped)
    ("3.3e-4", Severity.WARNING, "about +0.97%"),  # 0.21x: from the calibrated 0.85% on
    ("3.2e-3", Severity.INFO, "about +0.81%"),  # 2x: just under the warning threshold
])
def test_severity_follows_the_penalty(lr, severity, phrase):
    c = case(TEXTS["yaml"].format(lr=lr), "yaml", {"peak_lr": "optim.lr"}, **LAW)
    [d] = c.run(RULE)
    assert d.severity is severity and phrase in d.message


def test_silent_without_n_and_d():
    c = case(TEXTS["yaml"].format(lr="8.0e-3"), "yaml", {"peak_lr": "optim.lr"})
    assert c.run(RULE) == []


def test_silent_for_mup():
    c = case(TEXTS["yaml"].format(lr="8.0e-3"), "yaml", {"peak_lr": "optim.lr"}, parametrization="mup", **LAW)
    assert c.run(RULE) == []


BATCHED = "model: gpt\noptim:\n  lr: {lr}\ndata:\n  global_batch_size: {gbs}\n"


def _batched(lr, gbs, **extra):
    return case(BATCHED.format(lr=lr, gbs=gbs), "yaml", {"peak_lr": "optim.lr", "global_batch_sequences": "data.global_batch_size"},
                global_batch_tokens=gbs * 2048, seq_len=2048, **LAW, **extra)


def test_unsafe_lr_fix_moves_to_the_best_lr_at_the_batch_and_lowers_the_predicted_penalty():
    # batch 2048 x 2048 = 4.19e6 tokens (3.79x the law's): the best LR there is 2.08e-3, not the
    # unconditional 1.58e-3. LR 8.0e-4 is 0.38x of it: the LR adds +1.04% (warning); the fix writes
    # 2.08e-3, and the model's penalty falls from +2.30% to the batch's own +1.26%
    from steplint.laws.verdict import verdict

    c = _batched("8.0e-4", 2048)
    [d] = c.run(RULE)
    assert d.severity is Severity.WARNING
    assert "0.38x the best LR 2.08e-3 at this recipe's batch (3.79x the law's)" in d.message
    assert "the LR costs about +1.04% of final loss" in d.message
    assert "LR and batch together: expected final loss about +2.30%" in d.message
    new_lr = float(d.fix.edits[0].replacement)
    assert new_lr == pytest.approx(2.08e-3)
    before, after = verdict(1.07e9, 1e11, 8.0e-4, 2048 * 2048), verdict(1.07e9, 1e11, new_lr, 2048 * 2048)
    assert after.total.percent < before.total.percent
    assert after.total.percent == pytest.approx(1.26, abs=0.01) and before.total.percent == pytest.approx(2.30, abs=0.01)
    # the unconditional optimum 1.58e-3 would have been worse at this batch than the fix
    assert verdict(1.07e9, 1e11, 1.58e-3, 2048 * 2048).total.percent > after.total.percent


def test_no_unsafe_fix_far_outside_the_fitted_range():
    # 7e9 / 2e12 (D 20x above the fit): LR 1e-4 is 0.09x the extrapolated 1.1e-3: a notice, no fix
    c = case(TEXTS["yaml"].format(lr="1.0e-4"), "yaml", {"peak_lr": "optim.lr"}, n_params=6.5e9, tokens=2e12)
    [d] = c.run(RULE)
    assert d.severity is Severity.INFO and d.fix is None
    assert "the optimum is an extrapolation (D 20x outside the fitted range), so this is a notice" in d.message


def test_unmeasured_schedule_is_a_notice_with_the_reason():
    c = case(TEXTS["yaml"].format(lr="3.3e-4"), "yaml", {"peak_lr": "optim.lr"}, decay_style="wsd", **LAW)
    [d] = c.run(RULE)
    assert d.severity is Severity.INFO and "not wsd" in d.message
