"""The Step Law optimum for (N, D), its bootstrap band, and where a given (LR, batch) sits.

Step Law (arXiv 2503.04715): lr* = exp(a0) N^aN D^aD, B* = exp(b0) D^bD tokens, with N the
non-embedding parameters (total for MoE) and D the training tokens. The coefficients are the
means of the authors' 1,000 bootstrap fits, which is what their `fit_tool.py pred-opt-lr-bs`
predicts with (docs steplaw.md section 2.2). Both laws are linear in log space, so over the
bootstrap ln lr has mean x.mean and variance x^T Sigma x with x = (1, ln N, ln D) (for the batch
x = (1, ln D)); the band is the normal quantile of that, in closed form. The numbers ship in
data/steplaw.json (scripts/derive_data.py). Pure Python: no numpy at run time.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Mapping, Optional

from steplint._namedtuple import NamedTuple

from steplint.laws.landscape import Penalty, penalty
from steplint.quantities import format_quantity
from steplint.resources import load_data_json

DEFAULT_SEQ_LEN = 2048  # the only sequence length in the Step Law grids (steplaw.md section 3.3)
DEFAULT_LEVEL = 0.9  # a 5th-95th percentile band, as in steplaw.md section 2.4


class Range(NamedTuple):
    low: float
    high: float

    # A Range holds numbers and `in` asks about the interval, not the pair: only numbers are asked.
    def __contains__(self, value: float) -> bool:  # type: ignore[override]
        return self.low <= value <= self.high


class StepLaw(NamedTuple):
    """Mean coefficients (natural logs), their 5x5 covariance, and the ranges they were fitted on."""

    lr_intercept: float
    lr_coef_n: float
    lr_coef_d: float
    bs_intercept: float
    bs_coef_d: float
    covariance: tuple[tuple[float, ...], ...]  # order: lr_intercept, lr_coefN, lr_coefD, bs_intercept, bs_coefD
    n_params: Range
    tokens: Range
    tokens_per_param: Range
    seq_len: Range
    moe_n_params: Range
    moe_tokens: Range
    moe_tokens_per_param: Range
    moe_active_fraction: Range

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "StepLaw":
        mean, fitted, moe = data["mean"], data["fitted_range"], data["moe_range"]
        return cls(
            lr_intercept=mean["lr_intercept"], lr_coef_n=mean["lr_coefN"], lr_coef_d=mean["lr_coefD"],
            bs_intercept=mean["bs_intercept"], bs_coef_d=mean["bs_coefD"],
            covariance=tuple(tuple(row) for row in data["covariance"]),
            n_params=Range(*fitted["n_params"]), tokens=Range(*fitted["tokens"]),
            tokens_per_param=Range(*fitted["tokens_per_param"]), seq_len=Range(*fitted["seq_len"]),
            moe_n_params=Range(*moe["n_params"]), moe_tokens=Range(*moe["tokens"]),
            moe_tokens_per_param=Range(*moe["tokens_per_param"]),
            moe_active_fraction=Range(*moe["active_fraction"]),
        )

    def log_lr(self, n_params: float, tokens: float) -> tuple[float, float]:
        """Mean and bootstrap standard deviation of ln lr*."""
        x = (1.0, math.log(n_params), math.log(tokens), 0.0, 0.0)
        mean = self.lr_intercept + self.lr_coef_n * x[1] + self.lr_coef_d * x[2]
        return mean, math.sqrt(self._quadratic_form(x))

    def log_batch(self, tokens: float) -> tuple[float, float]:
        """Mean and bootstrap standard deviation of ln B* (tokens)."""
        x = (0.0, 0.0, 0.0, 1.0, math.log(tokens))
        mean = self.bs_intercept + self.bs_coef_d * x[4]
        return mean, math.sqrt(self._quadratic_form(x))

    def _quadratic_form(self, x: tuple[float, ...]) -> float:
        return max(sum(xi * sij * xj for xi, row in zip(x, self.covariance) for sij, xj in zip(row, x)), 0.0)


@lru_cache(maxsize=1)
def shipped_law() -> StepLaw:
    return StepLaw.from_data(load_data_json("steplaw.json"))


# A refitted law (`--law-file`, steplint.laws.lawfile) in force for the current command:
# every caller that takes the default (rules, show, predict) then uses it. A plain stack, not
# a ContextVar: a command runs on one thread, and `check` should not import contextvars.
_OVERRIDE: list[Optional[StepLaw]] = []


def default_law() -> StepLaw:
    """The law in force: a `--law-file` law inside `using_law`, else the shipped Step Law."""
    return (_OVERRIDE[-1] if _OVERRIDE else None) or shipped_law()


@contextmanager
def using_law(law: Optional[StepLaw]) -> Iterator[StepLaw]:
    """Make `law` (None: the shipped one) the default for the duration of the block."""
    _OVERRIDE.append(law)
    try:
        yield law or shipped_law()
    finally:
        _OVERRIDE.pop()


def _positive(name: str, value: float) -> float:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def optimal_lr(n_params: float, tokens: float, law: StepLaw | None = None) -> float:
    """Step Law optimal peak LR (for a schedule decaying to a fixed 1e-5 floor)."""
    law = law or default_law()
    n, d = _positive("N", n_params), _positive("D", tokens)
    # log_lr's mean, without the bootstrap deviation it also computes (a 5x5 quadratic form)
    return math.exp(law.lr_intercept + law.lr_coef_n * math.log(n) + law.lr_coef_d * math.log(d))


def optimal_batch_tokens(n_params: float, tokens: float, law: StepLaw | None = None) -> float:
    """Step Law optimal global batch in tokens. The released fit depends on D only; N is taken
    for symmetry with `optimal_lr` and checked, not used."""
    law = law or default_law()
    _positive("N", n_params)
    d = _positive("D", tokens)
    return math.exp(law.bs_intercept + law.bs_coef_d * math.log(d))  # log_batch's mean


def optimal_batch_sequences(n_params: float, tokens: float, seq_len: int = DEFAULT_SEQ_LEN,
                            law: StepLaw | None = None) -> float:
    """The optimal batch in sequences, unrounded (tokens / seq_len, as fit_tool.py prints it)."""
    return optimal_batch_tokens(n_params, tokens, law) / _positive("seq_len", seq_len)


# Acklam's rational approximation of the inverse normal CDF (P. J. Acklam, 2003, "An algorithm
# for computing the inverse normal cumulative distribution function"; relative error < 1.15e-9),
# followed by one Halley step on math.erfc, which brings it to double precision.
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
_P_LOW = 0.02425


def normal_quantile(p: float) -> float:
    """z such that P(Z <= z) = p for a standard normal Z, 0 < p < 1."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"probability must be strictly between 0 and 1, got {p!r}")
    # Work in the lower half: 1 - p is exact for p >= 0.5, and erfc keeps the tail accurate.
    return -_lower_quantile(1.0 - p) if p > 0.5 else _lower_quantile(p)


def _lower_quantile(p: float) -> float:
    if p < _P_LOW:
        q = math.sqrt(-2.0 * math.log(p))
        z = (((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]) / \
            ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0)
    else:
        q = p - 0.5
        r = q * q
        z = (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q / \
            (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0)
    error = 0.5 * math.erfc(-z / math.sqrt(2.0)) - p
    u = error * math.sqrt(2.0 * math.pi) * math.exp(z * z / 2.0)
    return z - u / (1.0 + z * u / 2.0)


class Band(NamedTuple):
    """Central `level` interval of the bootstrap distribution of the optimum (parameter uncertainty only)."""

    level: float
    lr_low: float
    lr_high: float
    batch_tokens_low: float
    batch_tokens_high: float


def band(n_params: float, tokens: float, level: float = DEFAULT_LEVEL, law: StepLaw | None = None) -> Band:
    """The two-sided band at `level` (0.9: 5th to 95th percentile) for lr* and B*."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
    law = law or default_law()
    z = normal_quantile(0.5 + level / 2.0)
    lr_mean, lr_sd = law.log_lr(_positive("N", n_params), _positive("D", tokens))
    bs_mean, bs_sd = law.log_batch(tokens)
    return Band(level, math.exp(lr_mean - z * lr_sd), math.exp(lr_mean + z * lr_sd),
                math.exp(bs_mean - z * bs_sd), math.exp(bs_mean + z * bs_sd))


def range_notices(n_params: float, tokens: float, seq_len: int | None = None,
                  active_params: float | None = None, law: StepLaw | None = None) -> tuple[str, ...]:
    """One sentence per input outside what Step Law was fitted on (empty when inside).

    A model with `active_params` < `n_params` is MoE and is checked against the MoE grid."""
    law = law or default_law()
    moe = active_params is not None and active_params < n_params
    n_range, d_range, ratio_range = ((law.moe_n_params, law.moe_tokens, law.moe_tokens_per_param) if moe
                                     else (law.n_params, law.tokens, law.tokens_per_param))
    kind = "MoE total N" if moe else "N"
    notices = []
    if n_params not in n_range:
        notices.append(f"{kind} = {format_quantity(n_params)} is outside the fitted range {format_quantity(n_range.low)} to {format_quantity(n_range.high)}: "
                       f"the optimum is an extrapolation")
    if tokens not in d_range:
        notices.append(f"D = {format_quantity(tokens)} tokens is outside the fitted range {format_quantity(d_range.low)} to {format_quantity(d_range.high)}: "
                       f"the optimum is an extrapolation")
    ratio = tokens / n_params
    if ratio not in ratio_range:
        notices.append(f"D/N = {format_quantity(ratio)} is outside the fitted range {format_quantity(ratio_range.low)} to {format_quantity(ratio_range.high)}")
    if moe and active_params is not None and active_params / n_params not in law.moe_active_fraction:
        frac = law.moe_active_fraction
        notices.append(f"MoE active fraction {format_quantity(active_params / n_params)} is outside the tested "
                       f"{format_quantity(frac.low)} to {format_quantity(frac.high)}")
    if seq_len is not None and seq_len not in law.seq_len:
        notices.append(f"seq_len {seq_len} was not tested (Step Law used {law.seq_len.low:.0f} only; "
                       f"the authors expect little effect on the token batch)")
    return tuple(notices)


class Position(NamedTuple):
    """Where a chosen LR and batch sit against the optimum. A value not given is taken at the
    optimum, so the penalty is that of the other one alone."""

    lr: float | None
    lr_ratio: float | None
    lr_in_band: bool | None
    batch_tokens: float | None
    batch_ratio: float | None
    batch_in_band: bool | None
    penalty: Penalty


class Placement(NamedTuple):
    """Everything `steplint predict` reports for one (N, D)."""

    n_params: float
    tokens: float
    seq_len: int
    lr: float
    batch_tokens: float
    batch_sequences: float
    band: Band
    notices: tuple[str, ...]
    position: Position | None

    @property
    def in_fitted_range(self) -> bool:
        return not self.notices


def place(n_params: float, tokens: float, lr: float | None = None, batch_tokens: float | None = None,
          level: float = DEFAULT_LEVEL, seq_len: int = DEFAULT_SEQ_LEN, active_params: float | None = None,
          law: StepLaw | None = None) -> Placement:
    """The optimum for (N, D) with its band and range notices, and, when `lr` or `batch_tokens`
    is given, where that choice sits: ratios, inside the band or not, expected loss penalty."""
    law = law or default_law()
    lr_opt = optimal_lr(n_params, tokens, law)
    batch_opt = optimal_batch_tokens(n_params, tokens, law)
    the_band = band(n_params, tokens, level, law)
    position = None
    if lr is not None or batch_tokens is not None:
        lr_ratio = _positive("lr", lr) / lr_opt if lr is not None else None
        batch_ratio = _positive("batch", batch_tokens) / batch_opt if batch_tokens is not None else None
        position = Position(
            lr=lr, lr_ratio=lr_ratio,
            lr_in_band=None if lr is None else the_band.lr_low <= lr <= the_band.lr_high,
            batch_tokens=batch_tokens, batch_ratio=batch_ratio,
            batch_in_band=None if batch_tokens is None else
            the_band.batch_tokens_low <= batch_tokens <= the_band.batch_tokens_high,
            penalty=penalty(lr_ratio if lr_ratio is not None else 1.0,
                            batch_ratio if batch_ratio is not None else 1.0),
        )
    return Placement(
        n_params=n_params, tokens=tokens, seq_len=seq_len, lr=lr_opt, batch_tokens=batch_opt,
        batch_sequences=batch_opt / _positive("seq_len", seq_len), band=the_band,
        notices=range_notices(n_params, tokens, seq_len, active_params, law), position=position,
    )
