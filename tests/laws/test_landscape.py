"""The loss-penalty landscape: shape, asymmetry, validity domain, and the shipped fit."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from conftest import REPO_ROOT, assert_json_close, load_script, shared_path
from steplint.laws.landscape import TERMS, Landscape, PenaltyKind, default_landscape, penalty


def test_lr_asymmetry_matches_measured_medians():
    # steplaw.md section 5.2: LR 2x costs ~0.84%, 0.5x ~0.32%; 2.83x ~1.97%, 0.35x ~0.59%
    assert penalty(2.0).percent == pytest.approx(0.84, abs=0.15)
    assert penalty(0.5).percent == pytest.approx(0.32, abs=0.15)
    assert penalty(2.0).percent > 2 * penalty(0.5).percent
    assert penalty(2.83).percent > 2 * penalty(0.35).percent


def test_small_batch_costs_more_than_large_far_out():
    assert penalty(1.0, 0.125).percent > penalty(1.0, 8.0).percent


def test_a_recipe_at_the_optimum_gives_up_nothing():
    at_optimum = penalty(1.0, 1.0)
    assert at_optimum.percent == 0.0 and at_optimum.kind is PenaltyKind.ESTIMATE
    assert all(term(0.0, 0.0) == 0.0 for term in TERMS.values())  # no constant, whatever the coefficients
    for r in (0.5, 0.71, 1.41, 2.0):
        assert penalty(r).percent > 0
        assert penalty(1.0, r).percent > 0


def test_near_optimal_lr_stays_below_the_warning_threshold():
    # steplaw.md 5.2: 1.41x costs 0.19% and 0.71x 0.16% (medians), under Step Law's own 0.25%
    # "optimal" filter_threshold, which is also where SL302 starts warning
    for r in (2 ** 0.5, 2 ** -0.5):
        assert penalty(r).percent < 0.25
    assert penalty(2.0).percent >= 0.25  # 2x is not near-optimal (0.84% measured)


def test_data_with_a_term_this_steplint_does_not_know_is_refused():
    data = {"coefficients": {"constant": 0.1, "lr_high_sq": 0.8}, "domain": {
        "lr_ratio_min": 0.125, "lr_ratio_divergence": 4.0, "batch_ratio_min": 0.125, "batch_ratio_max": 8.0}}
    with pytest.raises(ValueError, match="constant"):
        Landscape.from_data(data)


def test_tilted_valley_larger_batch_prefers_larger_lr():
    assert penalty(1.41, 4.0).percent < penalty(0.71, 4.0).percent


def test_grows_strictly_away_from_the_optimum_along_each_axis_in_the_domain():
    ratios = [2 ** (k / 32) for k in range(0, 97)]  # 1x .. 8x in 1/32 octave
    lr_up = [penalty(r).percent for r in ratios if r < 4]
    lr_down = [penalty(1 / r).percent for r in ratios]
    bs_up = [penalty(1.0, r).percent for r in ratios]
    bs_down = [penalty(1.0, 1 / r).percent for r in ratios]
    for series in (lr_up, lr_down, bs_up, bs_down):
        assert all(b > a for a, b in zip(series, series[1:]))


def test_one_sided_coefficients_are_non_negative():
    # what makes the axis monotonicity hold for any shipped fit (lr_batch vanishes on the axes)
    coefficients = dict(default_landscape().coefficients)
    assert set(coefficients) == set(TERMS)
    assert all(c >= 0 for name, c in coefficients.items() if name != "lr_batch")


def test_lr_at_4x_or_more_is_a_divergence_risk_not_a_number():
    for r in (4.0, 5.7, 100.0):
        p = penalty(r)
        assert p.kind is PenaltyKind.DIVERGENCE_RISK and p.percent is None
        assert "diverge" in p.message
    assert penalty(3.9).kind is PenaltyKind.ESTIMATE


def test_beyond_the_grid_the_edge_value_is_a_lower_bound():
    edge = penalty(1 / 8)
    beyond = penalty(1 / 20)
    assert edge.kind is PenaltyKind.ESTIMATE
    assert beyond.kind is PenaltyKind.LOWER_BOUND and beyond.percent == edge.percent
    assert "at least" in beyond.message
    assert penalty(1.0, 16.0).kind is PenaltyKind.LOWER_BOUND
    assert penalty(1.0, 16.0).percent == penalty(1.0, 8.0).percent


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_bad_ratios_raise(bad):
    with pytest.raises(ValueError):
        penalty(bad)


def test_shipped_model_beats_the_symmetric_baseline_leave_one_group_out():
    data = json.loads((REPO_ROOT / "data" / "landscape.json").read_text())
    for part in ("domain",):
        ev = data["evaluation"]["optimum"][part]
        assert ev["model"]["median_abs_pp"] < ev["baseline"]["median_abs_pp"]
        assert ev["model"]["p90_abs_pp"] < ev["baseline"]["p90_abs_pp"]
        assert ev["model"]["rmse_pp"] < 0.44 * 2  # and well under the baseline's own rmse
        assert ev["model"]["rmse_pp"] < ev["baseline"]["rmse_pp"]
    assert "32a8f4c" in data["provenance"]["commit"]
    assert default_landscape().lr_ratio_divergence == 4.0


def test_fit_script_reproduces_the_shipped_coefficients(tmp_path: Path):
    shared = shared_path("steplaw").parent
    module = load_script("fit_landscape")
    out, doc = tmp_path / "landscape.json", tmp_path / "landscape.md"
    assert module.main(["--shared", str(shared), "--output", str(out), "--doc", str(doc)]) == 0
    fresh, shipped = json.loads(out.read_text()), json.loads((REPO_ROOT / "data" / "landscape.json").read_text())
    # floats to 1e-9 relative: BLAS may differ in the last bits
    assert_json_close(fresh, shipped, rel=1e-9, abs_tol=1e-12)
    assert doc.read_text() == (REPO_ROOT / "docs" / "landscape.md").read_text()


def test_inline_terms_give_the_same_floats_as_TERMS():
    # landscape._evaluator writes the shipped terms inline for speed; it must give exactly
    # what summing TERMS gives, at the optimum, on the axes and far out.
    import random

    from steplint.laws.landscape import _evaluator

    land = default_landscape()
    inline = _evaluator(land.coefficients)
    assert inline.__name__ == "shipped"  # the shipped data takes the inline path
    rng = random.Random(25)
    points = [(0.0, 0.0), (-0.0, 0.0), (3.0, -3.0), (-3.0, 3.0), (2.0, 0.0), (0.0, -3.0)]
    points += [(rng.uniform(-12, 12), rng.uniform(-12, 12)) for _ in range(20000)]
    for x, y in points:
        expected = max(sum([c * TERMS[name](x, y) for name, c in land.coefficients]), 0.0)
        assert inline(x, y) == expected, (x, y)
    other = tuple(reversed(land.coefficients))  # another order goes through TERMS
    assert _evaluator(other).__name__ != "shipped"
    assert _evaluator(other)(1.5, -2.0) == max(sum([c * TERMS[n](1.5, -2.0) for n, c in other]), 0.0)
