"""The one Step Law verdict on a recipe's peak LR and global batch, shared by `check`
(SL302, SL303) and `predict --lr/--batch-*` (`position.severity`).

The landscape model (laws/landscape.py) gives the expected loss penalty of the LR and batch
*together*. It is split into the part the batch costs with the LR at its best for that batch
(the minimum over the LR at the configured batch) and the part the LR adds on top, so a low LR
that the batch explains (the valley is tilted: a small batch wants a small LR) is not blamed
on the LR. Each part gets a severity from thresholds calibrated on the released grids
(scripts/fit_landscape.py writes them into data/landscape.json; docs/landscape.md has the
confusion table), then capped by how far the recipe is outside the fitted range and by
whether the law measured its schedule (architecture.md section 4, revised 2026-12-07).
Pure Python, no I/O beyond the cached data files: it runs on the `check` and `predict` paths.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Optional

from steplint._namedtuple import NamedTuple

from steplint.laws.landscape import Landscape, Penalty, PenaltyKind, _evaluator, default_landscape, penalty
from steplint.laws.steplaw import Range, StepLaw, default_law, optimal_batch_tokens, optimal_lr
from steplint.quantities import format_quantity
from steplint.resources import load_data_json

SEVERITIES = ("info", "warning", "error")  # in increasing order of loudness
MILD_FACTOR = 3.0  # within 3x of the fitted range: an extrapolation, but a mild one (capped at warning)
# Schedules Step Law measured: cosine to a fixed floor (its runs, `mlr1e-5`) and cosine to peak/10
# (its Fig. 6 ablation). Anything else is outside what the optimum was measured under.
MEASURED_SCHEDULES = ("cosine",)


def louder(*severities: Optional[str]) -> Optional[str]:
    """The loudest of `severities` (None is below info)."""
    ranked = [s for s in severities if s is not None]
    return max(ranked, key=SEVERITIES.index) if ranked else None


def capped(severity: Optional[str], cap: str) -> Optional[str]:
    if severity is None:
        return None
    return cap if SEVERITIES.index(severity) > SEVERITIES.index(cap) else severity


class Thresholds(NamedTuple):
    """Penalty parts (percent) from which a verdict is info, warning or error (data/landscape.json)."""

    info: float
    warning: float
    error: float

    def severity(self, percent: float) -> Optional[str]:
        if percent >= self.error:
            return "error"
        if percent >= self.warning:
            return "warning"
        return "info" if percent >= self.info else None


@lru_cache(maxsize=1)
def default_thresholds() -> Thresholds:
    data = load_data_json("landscape.json")["verdict"]["thresholds"]
    return Thresholds(data["info"], data["warning"], data["error"])


class Extrapolation(NamedTuple):
    """How far (N, D, D/N) sit outside the fitted range, as a factor (1.0 inside), and the level
    it sets: "in_range", "mild" (within MILD_FACTOR, or an MoE sparsity outside the tested
    values) or "far"."""

    factor: float
    level: str
    worst: str  # the input that is farthest out ("" inside)

    @property
    def cap(self) -> Optional[str]:
        return {"mild": "warning", "far": "info"}.get(self.level)

    @property
    def text(self) -> str:
        if self.level == "in_range":
            return ""
        if self.factor <= 1.0:
            return "the optimum is a mild extrapolation (MoE sparsity outside the tested values)"
        return f"the optimum is an extrapolation ({self.worst} {self.factor:.3g}x outside the fitted range)"


def _outside(value: float, low: float, high: float) -> float:
    if not value > 0:  # D/N of a denormal D underflows to 0.0 (fuzz campaign seed 15, input 49717)
        return math.inf
    return max(low / value, value / high, 1.0)


def extrapolation(n_params: float, tokens: float, active_params: Optional[float] = None,
                  law: Optional[StepLaw] = None) -> Extrapolation:
    """The factor by which (N, D, D/N) lie outside the fitted range.

    For MoE the evidence is the dense fit plus the MoE validation grids (total N), so the ranges
    are their union; an active fraction outside the tested ones makes it at least mild."""
    law = law or default_law()
    moe = active_params is not None and 0 < active_params < n_params
    n_range, d_range, r_range = law.n_params, law.tokens, law.tokens_per_param
    if moe:
        n_range = Range(min(n_range.low, law.moe_n_params.low), max(n_range.high, law.moe_n_params.high))
        d_range = Range(min(d_range.low, law.moe_tokens.low), max(d_range.high, law.moe_tokens.high))
        r_range = Range(min(r_range.low, law.moe_tokens_per_param.low), max(r_range.high, law.moe_tokens_per_param.high))
    factors = {"N": _outside(n_params, *n_range), "D": _outside(tokens, *d_range),
               "D/N": _outside(tokens / n_params, *r_range)}
    worst = max(factors, key=factors.__getitem__)
    factor = factors[worst]
    if factor > MILD_FACTOR:
        level = "far"
    elif factor > 1.0 or (moe and active_params is not None and active_params / n_params not in law.moe_active_fraction):
        level = "mild"
    else:
        level = "in_range"
    return Extrapolation(factor, level, worst if factor > 1.0 else "")


HIGH_FLOOR = 2e-5  # the top of SL301's accepted window around the law's fixed 1e-5 floor


def schedule_cap(decay_style: Optional[str], min_lr: Optional[float] = None) -> tuple[Optional[str], str]:
    """(cap, reason) the schedule puts on the verdicts; (None, "") when the law measured it or
    the schedule is unknown. A schedule the law did not measure (linear, WSD, inverse-sqrt,
    constant, ..., or cosine decaying to zero) caps at info. A cosine floor above the window is
    measured only as peak/10 (arXiv 2503.04715 Fig. 6), where the optimum moves to a smaller LR
    and a larger batch: the law's optimum is then biased in a known direction, so at most warning."""
    if decay_style is None:
        return None, ""
    style = str(decay_style).lower()
    if style not in MEASURED_SCHEDULES:
        return "info", f"Step Law measured its optimum under cosine decay, not {style}"
    if isinstance(min_lr, (int, float)) and min_lr == 0:
        return "info", "Step Law measured its optimum under cosine to a floor of 1e-5 (or peak/10), not decay to zero"
    if isinstance(min_lr, (int, float)) and min_lr > HIGH_FLOOR:
        return "warning", (f"the cosine floor {format_quantity(min_lr)} is above Step Law's 1e-5 (a peak/10 floor "
                           "moved the optimum to a smaller LR and a larger batch, Fig. 6)")
    return None, ""


class Verdict(NamedTuple):
    """Where an (LR, batch) sits and how loud SL302/SL303 are about it. A value not given is
    taken at its optimum (a missing batch at the law's, a missing LR at the best for the batch)."""

    lr_opt: float  # the unconditional Step Law optimum
    batch_opt: float
    lr: Optional[float]
    batch_tokens: Optional[float]
    lr_ratio: Optional[float]  # to the unconditional optimum
    batch_ratio: Optional[float]
    conditional_lr: float  # the best LR at the configured batch (the landscape's minimum over the LR)
    total: Penalty  # the joint penalty of the LR and batch as configured
    batch_part: float  # percent: the batch's cost with the LR at its best for that batch
    lr_part: Optional[float]  # percent the LR adds on top (None on divergence risk)
    extrapolation: Extrapolation
    schedule: str  # why the schedule makes the verdict quieter ("" when it does not)
    lr_severity: Optional[str]
    batch_severity: Optional[str]
    lr_capped: bool = False  # the cap made SL302's verdict quieter than its penalty alone
    batch_capped: bool = False

    @property
    def severity(self) -> Optional[str]:
        """The louder of the SL302 and SL303 verdicts (what `predict` reports)."""
        return louder(self.lr_severity, self.batch_severity)

    @property
    def unsafe_fixes(self) -> bool:
        """Unsafe LR and batch fixes only up to a mild extrapolation."""
        return self.extrapolation.level != "far"

    @property
    def cap_reason(self) -> str:
        return "; ".join(r for r in (self.schedule, self.extrapolation.text) if r)


def best_lr_ratio(batch_ratio: float, landscape: Optional[Landscape] = None) -> float:
    """lr / lr_opt that minimises the landscape's penalty at this batch ratio (within the grids'
    LR range). The model is piecewise quadratic in x = log2(lr ratio), so the minimum is at 0
    or at a stationary point of one of the two sides; each candidate is evaluated."""
    land = landscape or default_landscape()
    t, high_sq, low_sq, low, lo, hi = _stationary_constants(land)
    y = math.log2(min(max(batch_ratio, land.batch_ratio_min), land.batch_ratio_max))
    candidates = [0.0]
    if high_sq > 0:
        candidates.append(-t * y / (2 * high_sq))
    if low_sq > 0:
        candidates.append((low - t * y) / (2 * low_sq))
    candidates = [min(max(x, lo), hi) for x in candidates]
    # land.percent(2.0 ** x, 2.0 ** y) for each candidate, its y part taken once
    at, log2, y_at = _evaluator(land.coefficients), math.log2, math.log2(2.0 ** y)
    best = min(candidates, key=lambda x: (at(log2(2.0 ** x), y_at), abs(x)))
    ratio: float = 2.0 ** best
    return ratio


# The last landscape's constants for best_lr_ratio (by identity: a run uses one landscape)
_CONSTANTS: list[tuple[Landscape, tuple[float, float, float, float, float, float]]] = []


def _stationary_constants(land: Landscape) -> tuple[float, float, float, float, float, float]:
    """(lr_batch, lr_high_sq, lr_low_sq, lr_low coefficients, lowest and highest octave of
    the LR range) of `land`, as best_lr_ratio reads them."""
    cached = _CONSTANTS[0] if _CONSTANTS else None  # one read of the entry, replaced whole
    if cached is not None and cached[0] is land:
        return cached[1]
    c = dict(land.coefficients)
    constants = (c.get("lr_batch", 0.0), c.get("lr_high_sq", 0.0), c.get("lr_low_sq", 0.0), c.get("lr_low", 0.0),
                 math.log2(land.lr_ratio_min), math.log2(land.lr_ratio_divergence) - 1e-9)
    _CONSTANTS[:] = [(land, constants)]
    return constants


def verdict(n_params: float, tokens: float, lr: Optional[float] = None, batch_tokens: Optional[float] = None,
            *, active_params: Optional[float] = None, decay_style: Optional[str] = None,
            min_lr: Optional[float] = None, law: Optional[StepLaw] = None,
            landscape: Optional[Landscape] = None, thresholds: Optional[Thresholds] = None) -> Verdict:
    """The joint verdict for (N, D) and the given LR and/or batch (architecture.md section 4)."""
    law = law or default_law()
    land = landscape or default_landscape()
    limits = thresholds or default_thresholds()
    lr_opt, batch_opt = optimal_lr(n_params, tokens, law), optimal_batch_tokens(n_params, tokens, law)
    batch_ratio = None if batch_tokens is None else batch_tokens / batch_opt
    x_best = best_lr_ratio(batch_ratio if batch_ratio is not None else 1.0, land)
    conditional_lr = lr_opt * x_best
    lr_ratio = None if lr is None else lr / lr_opt
    total = penalty(lr_ratio if lr_ratio is not None else x_best, batch_ratio if batch_ratio is not None else 1.0, land)
    batch_edge = min(max(batch_ratio or 1.0, land.batch_ratio_min), land.batch_ratio_max)
    batch_part = land.percent(x_best, batch_edge)
    lr_part = None if total.percent is None else max(total.percent - batch_part, 0.0)
    where = extrapolation(n_params, tokens, active_params, law)
    schedule_level, why = schedule_cap(decay_style, min_lr)
    # A high cosine floor biases the optimum in a known direction (smaller LR, larger batch): it
    # quiets only the verdicts that bias overstates, an LR below its best and a batch above the law's.
    high_floor = schedule_level == "warning"
    lr_caps = [where.cap, schedule_level if not high_floor or (lr is not None and lr < conditional_lr) else None]
    batch_caps = [where.cap, schedule_level if not high_floor or (batch_ratio or 1.0) > 1.0 else None]

    def judged(severity: Optional[str], caps: list[Optional[str]]) -> Optional[str]:
        given = [c for c in caps if c]
        return capped(severity, min(given, key=SEVERITIES.index)) if given else severity

    lr_raw = None
    if lr is not None:
        # lr_part is None exactly on a divergence risk (the only Penalty without a percent)
        lr_raw = "error" if total.kind is PenaltyKind.DIVERGENCE_RISK or lr_part is None else limits.severity(lr_part)
    batch_raw = limits.severity(batch_part) if batch_tokens is not None else None
    lr_severity, batch_severity = judged(lr_raw, lr_caps), judged(batch_raw, batch_caps)
    if high_floor and not (lr_severity != lr_raw or batch_severity != batch_raw):
        why = ""  # the floor quieted nothing: SL301 reports it, the verdicts need not
    return Verdict(lr_opt, batch_opt, lr, batch_tokens, lr_ratio, batch_ratio, conditional_lr, total,
                   batch_part, lr_part, where, why, lr_severity, batch_severity,
                   lr_severity != lr_raw, batch_severity != batch_raw)


class Tolerance(NamedTuple):
    """Where the best run of each released (N, D) group sat against the law's optimum (ratios,
    10th-90th percentile over the groups; data/steplaw.json, scripts/derive_data.py): the law's
    measured tolerance, which placements are worded against (the bootstrap band is only the
    uncertainty of the fitted mean)."""

    groups: int
    lr_low: float
    lr_high: float
    batch_low: float
    batch_high: float

    def lr_text(self) -> str:
        return (f"the grids' best runs sat at {self.lr_low:.2g}-{self.lr_high:.2g}x the law's LR "
                f"(10th-90th percentile of {self.groups} groups)")

    def both_text(self) -> str:
        return (f"the grids' best runs sat at {self.lr_low:.2g}-{self.lr_high:.2g}x the law's LR and "
                f"{self.batch_low:.2g}-{self.batch_high:.2g}x its batch (10th-90th percentile of {self.groups} groups)")

    def batch_text(self) -> str:
        return (f"the grids' best runs sat at {self.batch_low:.2g}-{self.batch_high:.2g}x the law's batch "
                f"(10th-90th percentile of {self.groups} groups)")


@lru_cache(maxsize=1)
def default_tolerance() -> Tolerance:
    data = load_data_json("steplaw.json")["tolerance"]
    return Tolerance(data["groups"], *data["lr_ratio"], *data["batch_ratio"])
