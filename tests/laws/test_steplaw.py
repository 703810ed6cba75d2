"""The Step Law engine against the reference tool's numbers and the bootstrap percentiles."""

from __future__ import annotations

import csv
import math
import statistics

import pytest

from conftest import shared_path
from steplint.laws import steplaw
from steplint.laws.steplaw import band, normal_quantile, optimal_batch_sequences, optimal_batch_tokens, optimal_lr, place


def reference_rows():
    with open(shared_path("steplaw", "reference_predictions.csv"), newline="") as fh:
        return list(csv.DictReader(fh))


def rel(a: float, b: float) -> float:
    return abs(a / b - 1.0)


def test_mean_model_matches_fit_tool_to_1e_9():
    for row in reference_rows():
        n, d, seq = float(row["N"]), float(row["D"]), int(row["seq_len"])
        assert rel(optimal_lr(n, d), float(row["lr_mean_model"])) < 1e-9
        assert rel(optimal_batch_tokens(n, d), float(row["bs_tokens_mean_model"])) < 1e-9
        assert rel(optimal_batch_sequences(n, d, seq), float(row["bs_sequences"])) < 1e-9


@pytest.mark.parametrize("level, low, high", [(0.9, "p5", "p95"), (0.95, "p2_5", "p97_5")])
def test_closed_form_band_matches_bootstrap_percentiles_within_3_percent(level, low, high):
    for row in reference_rows():
        b = band(float(row["N"]), float(row["D"]), level)
        assert rel(b.lr_low, float(row[f"lr_{low}"])) < 0.03
        assert rel(b.lr_high, float(row[f"lr_{high}"])) < 0.03
        assert rel(b.batch_tokens_low, float(row[f"bs_{low}"])) < 0.03
        assert rel(b.batch_tokens_high, float(row[f"bs_{high}"])) < 0.03


def test_published_rounded_constants():
    # steplaw.md section 1.1: lr = 1.7973 N^-0.71292 D^0.30749, B = 0.58069 D^0.57094
    law = steplaw.default_law()
    assert math.exp(law.lr_intercept) == pytest.approx(1.7973, rel=1e-4)
    assert law.lr_coef_n == pytest.approx(-0.71292, abs=1e-5)
    assert law.lr_coef_d == pytest.approx(0.30749, abs=1e-5)
    assert math.exp(law.bs_intercept) == pytest.approx(0.58069, rel=1e-4)
    assert law.bs_coef_d == pytest.approx(0.57094, abs=1e-5)


def test_fit_tool_printed_example():
    # fit_tool.py pred-opt-lr-bs 7e9 1.4e12 2048 prints lr 9.347e-04, bs 4996961.32, 2439.92 (SOURCES.md)
    assert f"{optimal_lr(7e9, 1.4e12):.3e}" == "9.347e-04"
    assert optimal_batch_tokens(7e9, 1.4e12) == pytest.approx(4996961.32, abs=0.01)
    assert optimal_batch_sequences(7e9, 1.4e12, 2048) == pytest.approx(2439.92, abs=0.01)


@pytest.mark.parametrize("p", [1e-12, 1e-6, 0.001, 0.02, 0.02425, 0.1, 0.5, 0.7, 0.95, 0.975, 0.999999])
def test_normal_quantile_is_double_precision(p):
    assert normal_quantile(p) == pytest.approx(statistics.NormalDist().inv_cdf(p), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, math.nan])
def test_normal_quantile_rejects_non_probabilities(p):
    with pytest.raises(ValueError):
        normal_quantile(p)


def test_band_widens_under_extrapolation_and_with_level():
    near, far = band(1e9, 1e11), band(7e10, 1.5e13)
    # steplaw.md 2.4: 90% half-width of ln lr ~0.07 at (1e9, 1e11), ~0.28 at (7e10, 1.5e13)
    assert math.log(near.lr_high / near.lr_low) / 2 == pytest.approx(0.07, abs=0.01)
    assert math.log(far.lr_high / far.lr_low) / 2 == pytest.approx(0.28, abs=0.02)
    wide = band(1e9, 1e11, level=0.99)
    assert wide.lr_low < near.lr_low < optimal_lr(1e9, 1e11) < near.lr_high < wide.lr_high


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_non_positive_or_non_finite_inputs_raise(bad):
    with pytest.raises(ValueError):
        optimal_lr(bad, 1e11)
    with pytest.raises(ValueError):
        optimal_batch_tokens(1e9, bad)


def test_in_range_point_has_no_notices():
    p = place(4.29e8, 4e10)
    assert p.in_fitted_range and p.notices == ()


@pytest.mark.parametrize("kwargs, needle", [
    (dict(n_params=7e9, tokens=1e11), "N = 7.00e9"),
    (dict(n_params=1e9, tokens=1e12), "D = 1.00e12"),
    (dict(n_params=1e9, tokens=1.2e9), "D/N"),
    (dict(n_params=4e8, tokens=4e10, seq_len=4096), "seq_len 4096"),
])
def test_out_of_range_inputs_are_named(kwargs, needle):
    p = place(**kwargs)
    assert not p.in_fitted_range
    assert any(needle in notice for notice in p.notices), p.notices


def test_moe_is_checked_against_the_moe_grid():
    # 1in8 configuration at 8B tokens (steplaw.md 3.1): total N 2.155e9, active fraction 0.274
    assert steplaw.range_notices(2.155e9, 8e9, 2048, active_params=0.274 * 2.155e9) == ()
    assert any("active fraction" in n for n in steplaw.range_notices(2.155e9, 8e9, 2048, active_params=0.02 * 2.155e9))
    assert steplaw.range_notices(2.155e9, 8e9, 2048)  # the same N as a dense model is outside


def test_place_positions_a_choice():
    p = place(1e9, 1e11, lr=2 * optimal_lr(1e9, 1e11), batch_tokens=optimal_batch_tokens(1e9, 1e11))
    pos = p.position
    assert pos.lr_ratio == pytest.approx(2.0) and pos.batch_ratio == pytest.approx(1.0)
    assert pos.lr_in_band is False and pos.batch_in_band is True
    assert pos.penalty.percent == pytest.approx(0.84, abs=0.15)  # steplaw.md 5.2: LR 2x costs ~0.84%
    assert place(1e9, 1e11).position is None


def test_placement_is_frozen():
    p = place(1e9, 1e11)
    with pytest.raises(AttributeError):
        p.lr = 1.0
