"""The one joint verdict on (LR, batch) that SL302, SL303 and `predict` share (architecture.md
section 4, revised policy). Numbers are written out: thresholds info 0.25%, warning 0.85%, error
1.45% (calibrated by scripts/calibrate_verdict.py, docs/landscape.md)."""

from __future__ import annotations

import pytest

from steplint.laws.landscape import PenaltyKind, penalty
from steplint.laws.verdict import (
    best_lr_ratio, default_thresholds, default_tolerance, extrapolation, louder, verdict,
)

N, D = 1.07e9, 1e11  # the paper's held-out point: lr* 1.58e-3, B* 1.107e6 tokens


def test_thresholds_are_the_calibrated_ones():
    assert tuple(default_thresholds()) == (0.25, 0.85, 1.45)


def test_in_range_low_lr_is_still_flagged():
    # 1e9 / 1e11, LR 3.3e-4 = 0.20x the optimum 1.66e-3 at a 1,048,576-token batch (0.95x):
    # the LR adds +0.96%, the batch +0.003%: a warning, from the LR (verdict-extrapolation's in-range case)
    v = verdict(1e9, 1e11, 3.3e-4, 1048576)
    assert v.extrapolation.level == "in_range" and v.extrapolation.factor == 1.0
    assert v.lr_part == pytest.approx(0.956, abs=0.001) and v.batch_part == pytest.approx(0.003, abs=0.001)
    assert (v.lr_severity, v.batch_severity, v.severity) == ("warning", None, "warning")


def test_mild_extrapolation_caps_at_warning():
    # N = 2e9 is 1.87x above the fitted 1.07e9: mild. LR 1/16 of the optimum costs at least +1.50%,
    # an error in range; here at most a warning, and unsafe fixes are still offered
    v = verdict(2e9, 1e11, 1.0141894e-3 / 16, None)
    assert v.total.kind is PenaltyKind.LOWER_BOUND and v.total.percent == pytest.approx(1.498, abs=0.001)
    assert v.extrapolation.level == "mild" and v.extrapolation.worst == "N"
    assert v.extrapolation.factor == pytest.approx(1.863, abs=0.001)
    assert v.lr_severity == "warning" and v.unsafe_fixes
    assert "N 1.86x outside the fitted range" in v.cap_reason


def test_far_extrapolation_caps_at_info_and_offers_no_unsafe_fix():
    # 7B on 2T tokens: D is 20x above the fitted 1e11. The same 1/16 LR (+1.50%) is only info
    v = verdict(6.5e9, 2e12, 1.0996158e-3 / 16, None)
    assert v.extrapolation.level == "far" and v.extrapolation.factor == pytest.approx(20.0)
    assert v.lr_severity == "info" and not v.unsafe_fixes
    assert "the optimum is an extrapolation (D 20x outside the fitted range)" in v.cap_reason
    # the usual 3e-4 / 4Mi recipe: info at most (verdict-extrapolation's 7B case)
    assert verdict(6.5e9, 2e12, 3e-4, 4194304).severity == "info"


def test_moe_sparsity_outside_the_tested_values_is_mild():
    # total N 2.15e9 and D 2e10 are inside the MoE grids; active 1e8 / 2.15e9 = 0.047 < 0.087 tested
    where = extrapolation(2.15e9, 2e10, active_params=1e8)
    assert where.level == "mild" and where.factor == 1.0


@pytest.mark.parametrize("style, min_lr", [("linear", 1e-5), ("wsd", 1e-5), ("inverse-sqrt", None),
                                            ("constant", None), ("cosine", 0.0)])
def test_unmeasured_schedule_makes_the_verdict_info(style, min_lr):
    # LR 3.3e-4 at 1.07e9 / 1e11 costs +0.97% (a warning under cosine); under a schedule the law
    # did not measure, or cosine decaying to zero, it is info with the reason
    assert verdict(N, D, 3.3e-4, None).lr_severity == "warning"
    v = verdict(N, D, 3.3e-4, None, decay_style=style, min_lr=min_lr)
    assert v.lr_severity == "info" and v.schedule


def test_peak_tenth_floor_under_cosine_caps_at_warning():
    # LR 1e-4 = 1/16 of the optimum: at least +1.50%, an error under the law's own 1e-5 floor. With a
    # 1e-5 floor (or 2e-5, the top of SL301's window) it stays an error; with a peak/10 floor the
    # optimum is known to move to a smaller LR (Fig. 6): at most a warning, with the reason
    assert verdict(N, D, 1.0e-4, None, decay_style="cosine", min_lr=1e-5).lr_severity == "error"
    assert verdict(N, D, 1.0e-4, None, decay_style="cosine", min_lr=2e-5).lr_severity == "error"
    v = verdict(N, D, 1.0e-4, None, decay_style="cosine", min_lr=1e-5 * 10)
    assert v.lr_severity == "warning" and "Fig. 6" in v.schedule


def test_a_small_batch_explains_a_low_lr():
    # batch 128 x 2048 = 262,144 tokens (0.24x): the best LR at that batch is 2.95e-4 (0.19x the
    # unconditional 1.58e-3), so LR 3.3e-4, a warning on its own (+0.97%), adds only +0.002%:
    # SL302 says nothing, and SL303 carries the +1.20% with a warning
    alone = verdict(N, D, 3.3e-4, None)
    assert alone.lr_severity == "warning" and alone.total.percent == pytest.approx(0.970, abs=0.001)
    v = verdict(N, D, 3.3e-4, 128 * 2048)
    assert v.conditional_lr == pytest.approx(2.954e-4, rel=1e-3)
    assert v.lr_part == pytest.approx(0.002, abs=0.001) and v.batch_part == pytest.approx(1.196, abs=0.001)
    assert (v.lr_severity, v.batch_severity) == (None, "warning")
    assert v.lr_part + v.batch_part == pytest.approx(v.total.percent)


def test_best_lr_ratio_follows_the_tilt():
    # a larger batch wants a larger LR; at the optimal batch the best LR is the law's
    assert best_lr_ratio(1.0) == 1.0
    assert best_lr_ratio(0.25) < best_lr_ratio(0.5) < 1.0 < best_lr_ratio(2.0) < best_lr_ratio(4.0)
    # and it is the minimum over the LR at that batch: nothing on a fine grid beats it
    for batch in (0.2, 0.5, 3.0):
        best = penalty(best_lr_ratio(batch), batch).percent
        assert all(penalty(2 ** (k / 16), batch).percent >= best - 1e-12 for k in range(-47, 32))


def test_divergence_risk_is_an_error_in_range():
    v = verdict(N, D, 8.0e-3, None)  # 5.1x the optimum
    assert v.total.kind is PenaltyKind.DIVERGENCE_RISK and v.lr_part is None and v.lr_severity == "error"


def test_tolerance_is_where_the_grids_best_runs_sat():
    tol = default_tolerance()
    assert tol.groups == 33
    assert (round(tol.lr_low, 2), round(tol.lr_high, 2)) == (0.96, 1.64)
    assert (round(tol.batch_low, 2), round(tol.batch_high, 2)) == (0.61, 1.41)


def test_louder():
    assert louder(None, "info") == "info" and louder("warning", "error") == "error" and louder(None, None) is None


def test_edge_value_is_no_lower_bound_where_the_tilt_makes_the_model_fall():
    # LR 0.03x and batch 0.12x: both below the grids. Clamped to (1/8, 1/8) the model gives +2.23%,
    # but going out to 0.03x LR it falls again (the small batch wants the small LR): no "at least"
    p = penalty(0.03, 0.12)
    assert p.percent == pytest.approx(2.233, abs=0.001)
    assert p.kind is PenaltyKind.EDGE and "at least" not in p.message
    # LR alone far below: the model keeps rising, so the edge value is a real lower bound
    assert penalty(1 / 16, 1.0).kind is PenaltyKind.LOWER_BOUND


def test_high_floor_quiets_only_what_its_bias_overstates():
    # a peak/10 floor moves the optimum to a smaller LR and a larger batch: an LR far ABOVE the law
    # (5x: divergence risk) stays an error, and a batch far BELOW it (1/8: +2.23%) stays an error
    v = verdict(N, D, 8.0e-3, 128 * 1024, decay_style="cosine", min_lr=8.0e-4)
    assert v.lr_severity == "error" and v.batch_severity == "error" and v.schedule == ""
