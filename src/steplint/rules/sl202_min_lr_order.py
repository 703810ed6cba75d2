"""SL202 min-lr-order: the LR floor must lie below the peak LR."""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Diagnostic, Location, Severity
from steplint.rules._steplaw_position import num
from steplint.rules.base import Rule, RuleContext, RuleDocs

# Schedules that keep the LR at its peak: a floor equal to the peak is harmless there.
_NON_DECAYING = frozenset({"constant"})


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    peak, floor = ctx.recipe.get("peak_lr"), ctx.recipe.get("min_lr")
    if peak is None or floor is None:
        return
    if not isinstance(peak.value, (int, float)) or not isinstance(floor.value, (int, float)):
        return
    related: tuple[Location, ...] = ()
    if peak.source.kind == "key" and peak.source.span is not None:
        related = (Location(peak.source.file or "", peak.source.line or 1, peak.source.column or 1, "peak LR set here"),)
    if floor.value > peak.value:
        yield ctx.diagnostic(
            f"min LR {num(floor.value)} is above the peak LR {num(peak.value)}: the schedule would "
            "climb instead of decay (Megatron-LM aborts at start with a bare assert)",
            floor,
            severity=Severity.ERROR,
            related=related,
        )
    elif floor.value == peak.value and ctx.recipe.value("decay_style") not in _NON_DECAYING:
        style = ctx.recipe.value("decay_style") or "decaying"
        yield ctx.diagnostic(
            f"min LR equals the peak LR {num(peak.value)}, so the {style} schedule never decays",
            floor,
            severity=Severity.WARNING,
            related=related,
        )


RULE = Rule(
    code="SL202",
    name="min-lr-order",
    severity=Severity.ERROR,
    summary="min LR above the peak LR (error), or equal to it with a decaying schedule (warning).",
    check=check,
    docs=RuleDocs(
        what=(
            "Compares the schedule floor (min LR, ratios such as HF `min_lr_rate` converted to an "
            "absolute value) with the peak LR. A floor above the peak is an error; a floor equal "
            "to the peak under a decaying schedule (cosine, linear, WSD, ...) is a warning."
        ),
        why=(
            "A floor above the peak makes a cosine schedule climb above its peak, silently in "
            "some frameworks, while Megatron-LM aborts at start with an assert that gives no "
            "hint. A floor equal to the peak turns the schedule into a constant LR, which was "
            "shipped by mistake in TinyLlama and costs final loss against a decayed schedule."
        ),
        evidence=(
            "TinyLlama min LR = max LR: https://github.com/jzhang38/TinyLlama/issues/27",
            "prime-rl min_lr > lr climbs above peak: https://github.com/PrimeIntellect-ai/prime-rl/pull/3091",
            "Megatron-Bridge recipe with min 3e-5 > lr 5e-6: https://github.com/NVIDIA-NeMo/Megatron-Bridge/pull/5756",
            "Megatron-LM asserts: https://github.com/NVIDIA/Megatron-LM/pull/7099",
        ),
        example="lr: 3.0e-4\nmin_lr: 3.0e-3\nlr_decay_style: cosine\n",
        fix=(
            "Set the floor below the peak; Step Law's recipe uses 1.0e-5 (SL301's safe fix sets "
            "it). No fix of its own: which of the two values is wrong is your call."
        ),
    ),
)
