"""The loss landscape around one recipe's optimum, as data for a picture (no drawing here).

`show --plot` draws it with matplotlib (steplint.plot, the `plot` extra) and `report` draws
it as inline SVG with no dependency (steplint.svg). Both read this one description:

- the expected final-loss penalty in percent (steplint.laws.landscape) over LR x batch,
  from 1/8 to 8 times the Step Law optimum on each axis;
- the optimum and its bootstrap band, the best LR at each batch (the tilted valley), the
  recipe's own point, the other laws' optima, the LR region where runs diverge (4x on);
- whether the optimum is an extrapolation (the title says so).
Pure Python: the grid is 49 x 49 evaluations of a closed form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from steplint._namedtuple import NamedTuple

if TYPE_CHECKING:
    from steplint.recipe import Recipe

OCTAVES = 3.0  # the axes span 2^-3 .. 2^3 times the optimum
STEPS = 49


class LawPoint(NamedTuple):
    title: str
    lr: float
    batch_tokens: float


class Picture(NamedTuple):
    title: str
    subtitle: str
    lr_opt: float
    batch_opt: float
    lrs: tuple[float, ...]  # x axis, ascending
    batches: tuple[float, ...]  # y axis, ascending
    percent: tuple[tuple[Optional[float], ...], ...]  # [batch index][lr index]; None where runs diverge
    band: tuple[float, float, float, float]  # lr_low, lr_high, batch_low, batch_high
    best_lr: tuple[tuple[float, float], ...]  # (lr, batch) along the valley floor
    recipe: Optional[tuple[float, float]]  # (lr, batch); a value the recipe lacks is at the optimum
    recipe_percent: Optional[float]
    recipe_message: str  # the penalty in words ("" without an LR or batch)
    laws: tuple[LawPoint, ...]
    divergence_lr: float
    extrapolated: bool


def _axis(center: float) -> tuple[float, ...]:
    return tuple(center * 2.0 ** (-OCTAVES + 2 * OCTAVES * i / (STEPS - 1)) for i in range(STEPS))


def build(n_params: float, tokens: float, *, lr: Optional[float] = None, batch_tokens: Optional[float] = None,
          seq_len: Optional[int] = None, active_params: Optional[float] = None, laws: tuple[LawPoint, ...] = (),
          label: str = "") -> Picture:
    """The picture for (N, D) and, when given, the recipe's LR and batch."""
    from steplint.laws.landscape import PenaltyKind, default_landscape, penalty
    from steplint.laws.steplaw import DEFAULT_SEQ_LEN, place

    p = place(n_params, tokens, lr=lr, batch_tokens=batch_tokens, seq_len=seq_len or DEFAULT_SEQ_LEN,
              active_params=active_params)
    land = default_landscape()
    lrs, batches = _axis(p.lr), _axis(p.batch_tokens)
    grid = []
    for b in batches:
        row = []
        for x in lrs:
            # the column at exactly 4x shows the edge value, so the colours meet the divergence region
            ratio = x / p.lr
            if abs(ratio / land.lr_ratio_divergence - 1.0) < 1e-6:
                ratio = land.lr_ratio_divergence * (1.0 - 1e-6)
            pen = penalty(ratio, b / p.batch_tokens, land)
            row.append(None if pen.kind is PenaltyKind.DIVERGENCE_RISK else pen.percent)
        grid.append(tuple(row))
    fine = [p.lr * 2.0 ** (-OCTAVES + 5 * OCTAVES / 3 * i / 400) for i in range(401)]  # up to 4x: below divergence
    best = []
    for b in batches:
        ratio = b / p.batch_tokens
        best.append((min(fine, key=lambda x: land.percent(x / p.lr, ratio)), b))
    recipe, recipe_percent, recipe_message = None, None, ""
    if p.position is not None:
        recipe = (lr if lr is not None else p.lr, batch_tokens if batch_tokens is not None else p.batch_tokens)
        recipe_percent, recipe_message = p.position.penalty.percent, p.position.penalty.message
    state = "inside Step Law's fitted range" if p.in_fitted_range else "EXTRAPOLATION: outside Step Law's fitted range"
    title = f"{label + ': ' if label else ''}N = {n_params:.3g}, D = {tokens:.3g} tokens ({state})"
    subtitle = (f"expected loss penalty (%) vs the Step Law optimum lr {p.lr:.3g}, batch {p.batch_tokens:.3g} tokens"
                + (f"; this recipe: {p.position.penalty.message}" if p.position is not None else ""))
    band = p.band
    return Picture(title, subtitle, p.lr, p.batch_tokens, lrs, batches, tuple(grid),
                   (band.lr_low, band.lr_high, band.batch_tokens_low, band.batch_tokens_high), tuple(best),
                   recipe, recipe_percent, recipe_message, laws, p.lr * land.lr_ratio_divergence, not p.in_fitted_range)


def for_recipe(recipe: "Recipe", label: str = "") -> Optional[Picture]:
    """The picture of a Recipe (None when N or D is unknown), with the other laws' optima."""
    from steplint.laws.common import positive
    from steplint.laws.registry import NAMES, STEPLAW, evaluate, inputs_from_recipe

    inputs = inputs_from_recipe(recipe)
    if inputs.n_params is None or inputs.tokens is None:
        return None
    points = []
    for name in NAMES:
        if name == STEPLAW:
            continue
        v = evaluate(name, inputs)
        if v.lr is not None and v.batch_tokens is not None:
            points.append(LawPoint(v.title + (" (approx.)" if v.approximate else ""), v.lr, v.batch_tokens))
    return build(inputs.n_params, inputs.tokens, lr=positive(recipe.value("peak_lr")),
                 batch_tokens=positive(recipe.value("global_batch_tokens")), seq_len=inputs.seq_len,
                 active_params=inputs.n_params_active, laws=tuple(points), label=label)
