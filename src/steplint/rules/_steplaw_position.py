"""What SL302 (LR) and SL303 (batch) share: the recipe's (N, D), the law's placement of a
value, the severity the pinned thresholds give its penalty, and message fragments.

Thresholds (architecture.md section 4): warning from an expected loss penalty of 0.25%
(Step Law's own "near-optimal" `filter_threshold` = 0.0025 in fit_tool.py), error from 1%
or an LR at 4x the optimum or more (runs diverge from there in the released grids,
steplaw.md section 5.2). Below the grids' range the penalty at the edge is a lower bound
(the landscape is convex) and severity uses it.
"""

from __future__ import annotations

import math
from typing import Optional

from steplint.diagnostics import Severity
from steplint.quantities import format_quantity
from steplint.recipe import Fact, Recipe

WARNING_PERCENT = 0.25
ERROR_PERCENT = 1.0


def law_inputs(recipe: Recipe) -> Optional[tuple[float, float]]:
    """(N, D) when both are known positive numbers, else None (SL005 says what is missing)."""
    n, d = recipe.value("n_params"), recipe.value("tokens")
    if isinstance(n, (int, float)) and isinstance(d, (int, float)) and n > 0 and d > 0:
        return float(n), float(d)
    return None


def place(recipe: Recipe, *, lr: Optional[float] = None, batch_tokens: Optional[float] = None):
    """steplint.laws.steplaw.place for this recipe's (N, D), seq_len and active N."""
    from steplint.laws.steplaw import DEFAULT_SEQ_LEN, place as law_place

    n, d = law_inputs(recipe)
    seq_len = recipe.value("seq_len")
    active = recipe.value("n_params_active")
    return law_place(
        n, d, lr=lr, batch_tokens=batch_tokens,
        seq_len=int(seq_len) if isinstance(seq_len, (int, float)) and seq_len >= 1 else DEFAULT_SEQ_LEN,
        active_params=float(active) if isinstance(active, (int, float)) and active > 0 else None,
    )


def severity_of(penalty) -> Optional[Severity]:
    """None below the warning threshold."""
    from steplint.laws.landscape import PenaltyKind

    if penalty.kind is PenaltyKind.DIVERGENCE_RISK:
        return Severity.ERROR
    if penalty.percent is None or penalty.percent < WARNING_PERCENT:
        return None
    return Severity.ERROR if penalty.percent >= ERROR_PERCENT else Severity.WARNING


def penalty_text(penalty) -> str:
    from steplint.laws.landscape import PenaltyKind

    if penalty.kind is PenaltyKind.DIVERGENCE_RISK:
        return "at 4x the optimum or more, runs diverge in Step Law's grids"
    bound = "at least " if penalty.kind is PenaltyKind.LOWER_BOUND else ""
    return f"expected final loss {bound}+{penalty.percent:.2g}% over the best achievable"


def num(value: float) -> str:
    """1.07e9, 6.0e-4, 1.58e-3: three significant digits, trailing zeros kept to one."""
    text = format_quantity(value, 3)
    mantissa, _, exponent = text.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0")
        mantissa += "0" if mantissa.endswith(".") else ""
    return f"{mantissa}e{exponent}" if exponent else mantissa


def ratio_text(ratio: float) -> str:
    """0.23x, 12x, and two significant digits below 0.1 (0.0031x, never 0.00x)."""
    if ratio >= 10:
        return f"{ratio:.0f}x"
    if ratio >= 0.1 or ratio <= 0:
        return f"{ratio:.2f}x"
    if ratio < 1e-4:
        return f"{num(ratio)}x"
    return f"{ratio:.{1 - math.floor(math.log10(ratio))}f}x"


def where(recipe: Recipe) -> str:
    n, d = law_inputs(recipe)
    return f"N={num(n)}, D={num(d)}"


def first_key_fact(recipe: Recipe, *names: str) -> Optional[Fact]:
    """The first of `names` read from a key in a file (the place to blame), else the first present."""
    facts = [recipe.get(n) for n in names]
    for f in facts:
        if f is not None and f.source.kind == "key":
            return f
    return next((f for f in facts if f is not None), None)


def origin(fact: Fact) -> str:
    """" (default of transformers 4.46)" for a value no key states, so a finding blamed at
    line 1 says where the number came from; "" for a key in a file."""
    return "" if fact.source.kind == "key" else f" ({fact.source.describe()})"
