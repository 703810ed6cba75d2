"""Expected loss penalty of training off the optimal peak LR and global batch.

The coefficients come from `scripts/fit_landscape.py` (fitted on the released Step Law grids,
arXiv 2503.04715; model, domain and evaluation in docs/landscape.md) and ship in
data/landscape.json. Pure Python: this runs on the `check` and `predict` paths.
"""

from __future__ import annotations

import enum
import math
from functools import lru_cache
from typing import Any, Callable, Mapping

from steplint._namedtuple import NamedTuple

from steplint.resources import load_data_json


class PenaltyKind(str, enum.Enum):
    """How far to trust `Penalty.percent`."""

    ESTIMATE = "estimate"  # inside the grids' range: the model's expected value
    LOWER_BOUND = "lower_bound"  # beyond 1/8 (or 8x batch): the value at the edge, which the model only exceeds further out
    EDGE = "edge"  # beyond the range too, but the LR x batch tilt lets the model fall again: the edge value, no bound
    DIVERGENCE_RISK = "divergence_risk"  # LR >= 4x the optimum: runs diverge, no number is meaningful

    def __str__(self) -> str:
        return self.value


# The shipped model's terms in octaves x = log2(lr ratio), y = log2(batch ratio). Each is zero at
# the optimum, so the penalty there is exactly 0: a recipe at the optimum gives up nothing. One
# curvature per side gives the measured asymmetries, the linear low-LR term the nearly straight
# low-LR flank (steplaw.md section 5.2), x*y the tilted valley. scripts/fit_landscape.py fits
# these same functions; docs/landscape.md has the evaluation and the candidates it beat.
# max(v, 0) is written (abs(v) + v) / 2, which works on a float and on a numpy array alike (the fit
# script passes arrays), and inline: `percent` evaluates these thousands of times per run.
TERMS: dict[str, Callable[[float, float], float]] = {
    "lr_high_sq": lambda x, y: ((abs(x) + x) / 2) ** 2,
    "lr_low_sq": lambda x, y: ((abs(-x) + -x) / 2) ** 2,
    "lr_low": lambda x, y: (abs(-x) + -x) / 2,
    "batch_high_sq": lambda x, y: ((abs(y) + y) / 2) ** 2,
    "batch_low_sq": lambda x, y: ((abs(-y) + -y) / 2) ** 2,
    "lr_batch": lambda x, y: x * y,
}


class Landscape(NamedTuple):
    """Penalty in percent = sum of coefficient * TERMS[name](x, y); zero at the optimum."""

    coefficients: tuple[tuple[str, float], ...]
    lr_ratio_min: float
    lr_ratio_divergence: float
    batch_ratio_min: float
    batch_ratio_max: float

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "Landscape":
        unknown = sorted(set(data["coefficients"]) - set(TERMS))
        if unknown:
            raise ValueError(f"landscape data names terms this steplint does not know: {', '.join(unknown)}")
        return cls(tuple((name, float(c)) for name, c in data["coefficients"].items()), **data["domain"])

    def percent(self, lr_ratio: float, batch_ratio: float) -> float:
        """The model's value at the given ratios (no domain handling), never below zero."""
        return _evaluator(self.coefficients)(math.log2(lr_ratio), math.log2(batch_ratio))


@lru_cache(maxsize=8)
def _terms(coefficients: tuple[tuple[str, float], ...]) -> tuple[tuple[Callable[[float, float], float], float], ...]:
    """(term function, coefficient) in the coefficients' order: `percent` runs thousands of
    times per 1,000 files (SL302, SL303, `predict`), the names are looked up once."""
    return tuple((TERMS[name], c) for name, c in coefficients)


_SHIPPED_ORDER = ("lr_high_sq", "lr_low_sq", "lr_low", "batch_high_sq", "batch_low_sq", "lr_batch")


@lru_cache(maxsize=8)
def _evaluator(coefficients: tuple[tuple[str, float], ...]) -> Callable[[float, float], float]:
    """max(sum of coefficient * TERMS[name](x, y), 0) at octaves (x, y). For the shipped terms
    in the shipped order, the same expressions as TERMS written inline (the same floats, summed
    by the same `sum` in the same order) without six calls per point: `penalty` evaluates up
    to 64 points per verdict. Any other set of terms goes through TERMS."""
    if tuple(name for name, _ in coefficients) != _SHIPPED_ORDER:
        terms = _terms(coefficients)
        return lambda x, y: max(sum([c * term(x, y) for term, c in terms]), 0.0)
    a, b, c, d, e, f = (value for _, value in coefficients)

    def shipped(x: float, y: float) -> float:
        return max(sum([a * ((abs(x) + x) / 2) ** 2, b * ((abs(-x) + -x) / 2) ** 2, c * ((abs(-x) + -x) / 2),
                        d * ((abs(y) + y) / 2) ** 2, e * ((abs(-y) + -y) / 2) ** 2, f * (x * y)]), 0.0)

    return shipped


class Penalty(NamedTuple):
    """Expected excess of final loss over the best achievable, in percent (None on divergence risk)."""

    percent: float | None
    kind: PenaltyKind
    lr_ratio: float
    batch_ratio: float

    @property
    def message(self) -> str:
        if self.kind is PenaltyKind.DIVERGENCE_RISK:
            return f"LR {self.lr_ratio:.3g}x the optimum: runs diverge from 4x on (Step Law grids)"
        bound = "at least " if self.kind is PenaltyKind.LOWER_BOUND else "about "
        edge = " (at the edge of the measured range)" if self.kind is PenaltyKind.EDGE else ""
        return f"expected final loss {bound}+{self.percent:.2f}% over the best achievable{edge}"


@lru_cache(maxsize=1)
def default_landscape() -> Landscape:
    return Landscape.from_data(load_data_json("landscape.json"))


def penalty(lr_ratio: float = 1.0, batch_ratio: float = 1.0, landscape: Landscape | None = None) -> Penalty:
    """Expected loss penalty at `lr_ratio` = lr / lr_opt and `batch_ratio` = batch / batch_opt.

    Outside the grids' range the ratios are clamped to the edge. The value there is a lower
    bound only when the model keeps rising from the edge out to the point asked for; the LR x
    batch tilt can make it fall again (both ratios far below 1, say), and then the value is
    reported as the edge value (EDGE), not as a bound. At 4x the optimal LR or more the answer
    is a divergence risk, not a number."""
    if not (lr_ratio > 0 and batch_ratio > 0 and math.isfinite(lr_ratio) and math.isfinite(batch_ratio)):
        raise ValueError(f"ratios must be positive and finite, got lr {lr_ratio!r}, batch {batch_ratio!r}")
    land = landscape or default_landscape()
    if lr_ratio >= land.lr_ratio_divergence:
        return Penalty(None, PenaltyKind.DIVERGENCE_RISK, lr_ratio, batch_ratio)
    lr_edge = max(lr_ratio, land.lr_ratio_min)
    batch_edge = min(max(batch_ratio, land.batch_ratio_min), land.batch_ratio_max)
    value = land.percent(lr_edge, batch_edge)
    if (lr_edge, batch_edge) == (lr_ratio, batch_ratio):
        return Penalty(value, PenaltyKind.ESTIMATE, lr_ratio, batch_ratio)
    x0, y0 = math.log2(lr_edge), math.log2(batch_edge)
    dx, dy = math.log2(lr_ratio) - x0, math.log2(batch_ratio) - y0
    # `land.percent` at each point on the way, written out (up to 64 points per verdict)
    at, log2, floor = _evaluator(land.coefficients), math.log2, value - 1e-12
    rising = True
    for k in range(1, _STEPS + 1):
        x, y = log2(2.0 ** (x0 + dx * k / _STEPS)), log2(2.0 ** (y0 + dy * k / _STEPS))
        if not at(x, y) >= floor:
            rising = False
            break
    return Penalty(value, PenaltyKind.LOWER_BOUND if rising else PenaltyKind.EDGE, lr_ratio, batch_ratio)


_STEPS = 64  # points checked between the edge and the ratios asked for
