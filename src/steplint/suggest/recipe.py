"""The Step Law recipe for (N, D) on a given parallel layout, as plain numbers.

Step Law (arXiv 2503.04715) gives the joint optimum of peak LR and global batch (the
landscape's penalty is 0 there, laws/landscape.py), for runs that warm up linearly (2,000
steps in the paper) and decay by cosine to a fixed floor of 1e-5 (docs/landscape.md;
steplaw.md section 4.1 of the research notes). What a framework can run is a batch that
micro batch x data parallel divides, so the batch is rounded to such a multiple: the one
with the smaller expected loss penalty. Pure: the writers in this package format it.
"""

from __future__ import annotations

from steplint._namedtuple import NamedTuple

import math

from steplint.laws.landscape import Penalty, penalty
from steplint.laws.steplaw import Band, band, default_law, optimal_batch_tokens, optimal_lr, range_notices

MIN_LR = 1e-5  # the fixed floor every Step Law run decayed to
STEPLAW_WARMUP = 2000  # Step Law's linear warmup, in steps
MAX_WARMUP_FRACTION = 0.1  # a short run warms up over at most a tenth of its steps (SL204 warns above 20%)
LR_DIGITS = 3


class LayoutError(ValueError):
    """The parallel layout cannot be run (world size not a multiple of TP x PP, ...)."""


class Layout(NamedTuple):
    world_size: int
    micro_batch: int = 1
    tensor_parallel: int = 1
    pipeline_parallel: int = 1

    @property
    def data_parallel(self) -> int:
        return self.world_size // (self.tensor_parallel * self.pipeline_parallel)

    @property
    def batch_unit(self) -> int:
        """The smallest global batch (sequences) the layout runs: micro x DP."""
        return self.micro_batch * self.data_parallel

    def check(self) -> "Layout":
        for name, value in self._asdict().items():
            if not isinstance(value, int) or value < 1:
                raise LayoutError(f"{name.replace('_', '-')} must be a positive whole number, got {value!r}")
        model = self.tensor_parallel * self.pipeline_parallel
        if self.world_size % model:
            raise LayoutError(f"world size {self.world_size} is not a multiple of tensor x pipeline parallel "
                              f"= {self.tensor_parallel} x {self.pipeline_parallel} = {model}")
        return self


class Recipe(NamedTuple):
    n_params: float
    tokens: float  # D asked for
    seq_len: int
    layout: Layout
    lr: float  # the peak LR written (rounded to LR_DIGITS significant digits)
    lr_optimum: float
    min_lr: float
    batch_sequences: int  # the global batch written
    batch_optimum_sequences: float
    grad_accum: int
    train_steps: int
    warmup_steps: int
    band: Band
    rounding: Penalty  # expected loss penalty of the written LR and batch against the optimum
    notices: tuple[str, ...]  # extrapolation notices (empty inside the fitted range)

    @property
    def batch_tokens(self) -> int:
        return self.batch_sequences * self.seq_len

    @property
    def trained_tokens(self) -> int:
        return self.train_steps * self.batch_tokens

    def law_text(self) -> str:
        law = default_law()
        return (f"lr* = {math.exp(law.lr_intercept):.5g} N^{law.lr_coef_n:.5g} D^{law.lr_coef_d:.5g}, "
                f"B* = {math.exp(law.bs_intercept):.5g} D^{law.bs_coef_d:.5g} tokens")


def round_significant(value: float, digits: int = LR_DIGITS) -> float:
    return float(f"{value:.{digits - 1}e}")


def _best_multiple(optimum: float, unit: int, lr_ratio: float) -> int:
    """The multiple of `unit` nearest the optimum by expected loss (the landscape is not
    symmetric in the batch, so this is not always the nearest in sequences)."""
    low = max(unit, math.floor(optimum / unit) * unit)
    high = max(unit, math.ceil(optimum / unit) * unit)
    if low == high:
        return low

    def cost(b: int) -> float:
        p = penalty(lr_ratio, b / optimum)
        return p.percent if p.percent is not None else math.inf

    return min((low, high), key=lambda b: (cost(b), abs(math.log(b / optimum))))


def step_law_recipe(n_params: float, tokens: float, seq_len: int, layout: Layout) -> Recipe:
    """The recipe for N non-embedding parameters, D tokens, sequences of `seq_len` on `layout`."""
    layout = layout.check()
    lr_opt = optimal_lr(n_params, tokens)
    lr = round_significant(lr_opt)
    batch_opt = optimal_batch_tokens(n_params, tokens) / seq_len
    batch = _best_multiple(batch_opt, layout.batch_unit, lr / lr_opt)
    steps = max(1, round(tokens / (batch * seq_len)))
    warmup = max(1, min(STEPLAW_WARMUP, int(steps * MAX_WARMUP_FRACTION)))
    return Recipe(
        n_params=n_params, tokens=tokens, seq_len=seq_len, layout=layout, lr=lr, lr_optimum=lr_opt,
        min_lr=MIN_LR, batch_sequences=batch, batch_optimum_sequences=batch_opt,
        grad_accum=batch // layout.batch_unit, train_steps=steps, warmup_steps=warmup,
        band=band(n_params, tokens), rounding=penalty(lr / lr_opt, batch / batch_opt),
        notices=range_notices(n_params, tokens, seq_len),
    )
