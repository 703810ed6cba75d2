"""What SL302 (LR) and SL303 (batch) share: the recipe's (N, D), the one joint verdict on
its LR and batch (steplint.laws.verdict, the same function `predict` reports), and message
fragments.

Severity policy (architecture.md section 4, revised 2026-12-07): the joint penalty is split
into the batch's part (LR at its best for that batch) and the LR's part; thresholds calibrated
on the released grids (docs/landscape.md); capped outside the fitted range and under schedules
the law did not measure.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Optional

from steplint.diagnostics import Severity
from steplint.quantities import as_float, format_quantity
from steplint.recipe import Fact, Recipe

if TYPE_CHECKING:
    from steplint.laws.landscape import Penalty
    from steplint.laws.verdict import Verdict
    from steplint.laws.registry import Spread
    from steplint.laws.steplaw import Placement, StepLaw



def known_inputs(recipe: Recipe) -> tuple[float, float]:
    """(N, D) of a recipe the Step Law rules already found applicable (both known)."""
    inputs = law_inputs(recipe)
    assert inputs is not None, "callers check steplaw_applies first"
    return inputs


def law_inputs(recipe: Recipe) -> Optional[tuple[float, float]]:
    """(N, D) when both are known positive numbers, else None (SL005 says what is missing)."""
    n, d = _positive(recipe.value("n_params")), _positive(recipe.value("tokens"))
    return (n, d) if n is not None and d is not None else None


def place(recipe: Recipe, *, lr: Optional[float] = None, batch_tokens: Optional[float] = None) -> Placement:
    """steplint.laws.steplaw.place for this recipe's (N, D), seq_len and active N (`show`
    places the recipe with the same inputs the rules use)."""
    from steplint.laws.steplaw import DEFAULT_SEQ_LEN, place as law_place

    inputs = law_inputs(recipe)
    assert inputs is not None, "place() needs a recipe whose N and D are known (law_inputs)"
    n, d = inputs
    seq_len = recipe.value("seq_len")
    active = recipe.value("n_params_active")
    return law_place(
        n, d, lr=lr, batch_tokens=batch_tokens,
        seq_len=int(seq_len) if isinstance(seq_len, (int, float)) and seq_len >= 1 else DEFAULT_SEQ_LEN,
        active_params=_positive(active),
    )


# The last recipe's verdict and spread, with the law in force then: SL302 and SL303 judge
# the same recipe one after the other, so each is computed once per recipe (by identity:
# a Recipe is immutable; only the last one is kept, so memory stays at one recipe's).
_LAST_VERDICT: list[tuple[Recipe, "StepLaw", "Verdict"]] = []
_LAST_SPREAD: list[tuple[Recipe, "StepLaw", Optional["Spread"]]] = []


def judge(recipe: Recipe) -> Verdict:
    """steplint.laws.verdict.verdict for this recipe's (N, D), peak LR, global batch, MoE
    active N and schedule: the one verdict SL302 and SL303 both report from."""
    from steplint.laws.steplaw import default_law
    from steplint.laws.verdict import verdict

    law = default_law()
    if _LAST_VERDICT and _LAST_VERDICT[0][0] is recipe and _LAST_VERDICT[0][1] is law:
        return _LAST_VERDICT[0][2]
    n, d = known_inputs(recipe)
    lr, batch = _positive(recipe.value("peak_lr")), _positive(recipe.value("global_batch_tokens"))
    min_lr = recipe.value("min_lr")
    v = verdict(n, d, lr, batch, active_params=_positive(recipe.value("n_params_active")),
                decay_style=recipe.value("decay_style"),
                min_lr=as_float(min_lr))
    _LAST_VERDICT[:] = [(recipe, law, v)]
    return v


def _positive(value: object) -> Optional[float]:
    number = as_float(value)
    return number if number is not None and number > 0 else None


def severity(name: Optional[str]) -> Optional[Severity]:
    return None if name is None else Severity.parse(name)


def penalty_text(penalty: Penalty, what: str = "") -> str:
    """"about +0.48% <what>", "at least ..." only where the edge value really is a lower bound."""
    from steplint.laws.landscape import PenaltyKind

    if penalty.kind is PenaltyKind.DIVERGENCE_RISK:
        return "at 4x the optimum or more, runs diverge in Step Law's grids"
    bound = "at least " if penalty.kind is PenaltyKind.LOWER_BOUND else "about "
    edge = " (the value at the edge of the measured range)" if penalty.kind is PenaltyKind.EDGE else ""
    return f"{bound}+{penalty.percent:.2f}%{' ' + what if what else ''}{edge}"


def total_text(v: Verdict) -> str:
    """The joint penalty, stated once per recipe: by SL302 when it reports, else by SL303."""
    if v.total.percent is None:
        return ""
    return f"; LR and batch together: expected final loss {penalty_text(v.total, 'over the best achievable')}"


def cap_text(v: Verdict, severity_name: Optional[str], capped: bool) -> str:
    """What limits the verdict (extrapolation, schedule), and, when it made it quieter than its
    penalty alone would, by how much; empty when nothing limits it."""
    reason = v.cap_reason
    if not reason:
        return ""
    return f"; {reason}" + (f", so this is {'a notice' if severity_name == 'info' else 'at most a warning'}" if capped else "")


def spread_text(recipe: Recipe, v: Verdict) -> str:
    """Outside Step Law's fitted range its optimum is an extrapolation: say how far the other
    published laws' optima spread there (issue 17: the honest uncertainty), "" inside the range
    or when fewer than two laws can be evaluated with the recipe's facts."""
    if v.extrapolation.level == "in_range":
        return ""
    from steplint.laws.registry import spread_for_recipe
    from steplint.laws.steplaw import default_law

    law = default_law()
    if _LAST_SPREAD and _LAST_SPREAD[0][0] is recipe and _LAST_SPREAD[0][1] is law:
        s = _LAST_SPREAD[0][2]
    else:
        s = spread_for_recipe(recipe)
        _LAST_SPREAD[:] = [(recipe, law, s)]
    if s is None or len(s.names) < 2:
        return ""
    return (f"; the published laws ({', '.join(s.names)}) put the optimal LR between {num(s.lr_min)} and "
            f"{num(s.lr_max)} and the batch between {num(s.batch_min)} and {num(s.batch_max)} tokens")


def num(value: float) -> str:
    """1.07e9, 6.0e-4, 1.58e-3: three significant digits, trailing zeros kept to one."""
    text = format_quantity(value, 3)
    mantissa, _, exponent = text.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0")
        mantissa += "0" if mantissa.endswith(".") else ""
    return f"{mantissa}e{exponent}" if exponent else mantissa


def ratio_text(ratio: float) -> str:
    """0.23x, 12x, and two significant digits below 0.1 (0.0031x, never 0.00x); a power of
    ten from 10,000x up (an absurd value in a file must not print a 100-digit ratio)."""
    if ratio >= 1e4:
        return f"{num(ratio)}x"
    if ratio >= 10:
        return f"{ratio:.0f}x"
    if ratio >= 0.1 or ratio <= 0:
        return f"{ratio:.2f}x"
    if ratio < 1e-4:
        return f"{num(ratio)}x"
    return f"{ratio:.{1 - math.floor(math.log10(ratio))}f}x"


def where(recipe: Recipe) -> str:
    n, d = known_inputs(recipe)
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
