"""SL203 decay-horizon: the LR decay should end where the run ends."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterator, Optional

from steplint.diagnostics import Applicability, Diagnostic, Severity
from steplint.recipe import Fact
from steplint.rules._fixes import set_value_fix
from steplint.rules._support import human, percent
from steplint.rules.base import Option, Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.diagnostics import Fix

_NO_DECAY = frozenset({"constant"})
# Schedules without a finite end (they approach the floor asymptotically).
_OPEN_ENDED = frozenset({"inverse-sqrt", "inverse", "exponential", "step"})


def lr_at(step: float, *, peak: float, floor: float, warmup: float, end: float, style: str) -> float:
    """LR of a warmup + decay schedule at `step` (decay clamped at `end`)."""
    if end <= warmup:
        return floor
    progress = min(max((step - warmup) / (end - warmup), 0.0), 1.0)
    if style == "linear":
        factor = 1.0 - progress
    else:  # cosine, and the cosine tail of WSD
        factor = 0.5 * (1.0 + math.cos(math.pi * progress))
    return floor + (peak - floor) * factor


def _real(value: object) -> bool:
    """A number float arithmetic takes: not a 1,200-bit integer (`min_lr: 0xfff...`, fuzz
    campaign seed 16, input 17668), which overflows on the way to a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    end = recipe.get("decay_end_step")
    steps = recipe.value("train_steps")
    style = str(recipe.value("decay_style", "cosine")).lower()
    if end is None or not steps or style in _NO_DECAY or style in _OPEN_ENDED:
        return
    if not isinstance(end.value, (int, float)):
        return
    tolerance = ctx.option("tolerance")
    warmup = recipe.value("warmup_steps") or 0
    gap = (steps - end.value) / steps
    # One step apart is how a schedule counted from 0 ends (MaxText's cosine reaches its floor at
    # index steps - 1 by construction), not a horizon mistake, however short the run.
    if abs(steps - end.value) <= 1 or abs(gap) <= tolerance:
        return
    fix = _fix(ctx, end, steps, warmup)
    if gap > 0:
        tail = steps - end.value
        hold = recipe.notes.constant_steps
        if hold and abs(tail - hold) <= tolerance * steps:
            yield ctx.diagnostic(
                f"the LR reaches its floor at step {human(end.value)} and is held there for the last {human(tail)} "
                f"steps ({percent(gap)} of the run), as the schedule's constant_steps asks",
                at=end, severity=Severity.INFO,
            )
            return
        if style == "cosine" and recipe.notes.cosine_climbs_back:  # GPT-NeoX AnnealingLR
            consequence = (f"GPT-NeoX's cosine is not clamped, so for the last {human(tail)} steps "
                           f"({percent(gap)} of the run) the LR climbs back toward the peak")
        else:
            consequence = f"the last {human(tail)} steps ({percent(gap)} of the run) train at the floor LR"
        yield ctx.diagnostic(
            f"the LR decay ends at step {human(end.value)} but the run has {human(steps)} steps: {consequence}",
            at=end, fix=fix,
        )
        return
    peak, floor = recipe.value("peak_lr"), recipe.value("min_lr", 0.0)
    at_end = ""
    if _real(peak) and _real(floor):
        lr_end = lr_at(steps, peak=peak, floor=floor, warmup=warmup, end=end.value, style=style)
        share = (peak - lr_end) / (peak - floor) if peak > floor else 1.0
        at_end = (f"; the last step still runs at LR {human(lr_end)} "
                  f"({percent(share)} of the way from {human(peak)} to {human(floor)})")
    if style == "wsd":
        yield ctx.diagnostic(
            f"the WSD decay ends at step {human(end.value)}, after the run's {human(steps)} steps: the run stops "
            f"before its cooldown{at_end} (fine for a checkpoint meant to be cooled down later)",
            at=end, severity=Severity.INFO,
        )
        return
    yield ctx.diagnostic(
        f"the LR decay ends at step {human(end.value)}, {percent(-gap)} after the run's {human(steps)} steps: "
        f"the LR never reaches its floor{at_end}",
        at=end, fix=fix,
    )


def _fix(ctx: RuleContext, end: Fact, steps: int, warmup: int) -> Optional[Fix]:
    """Rewrite the horizon key in its own convention: an absolute end step (Megatron
    lr-decay-iters, torchtitan, MaxText) or a length after warmup (HF WSD num_decay_steps);
    a horizon in samples or tokens, or a derived one, has no literal to rewrite."""
    message = f"set {end.source.key} to {{}} so that the decay ends with the run"
    fix = set_value_fix(end, ctx.documents, int(steps), message.format(int(steps)), Applicability.SAFE)
    if fix is None and warmup:
        after_warmup = Fact(end.value - warmup, end.unit, end.source)
        target = int(steps - warmup)
        fix = set_value_fix(after_warmup, ctx.documents, target, message.format(target), Applicability.SAFE)
    return fix


RULE = Rule(
    code="SL203",
    name="decay-horizon",
    severity=Severity.WARNING,
    summary="The LR decay ends before the run ends (time at the floor) or after it (never reaches the floor).",
    check=_check,
    fix_applicability="safe",
    options={"tolerance": Option(0.02, "number", 0.0, 1.0, help="relative gap between decay end and run end allowed")},
    docs=RuleDocs(
        what=(
            "Compares where the decay reaches its floor (counted from step 0, warmup included, in each "
            "framework's own convention: Megatron's lr-decay-iters is an absolute step, HF WSD "
            "num_decay_steps and torchtitan decay ratios are lengths after warmup) with the number of "
            "optimizer steps. Warns when they differ by more than 2% of the run. A WSD run that stops "
            "before its cooldown is reported as info (often intentional)."
        ),
        why=(
            "No framework checks it. Decay longer than the run leaves the LR high at the last step, "
            "so the final loss misses most of the annealing gain; decay shorter than the run wastes "
            "the tail at the floor, and GPT-NeoX's cosine even climbs back toward the peak. AReaL "
            "subtracted warmup twice and spent about 10% of its steps at zero LR; NeMo-RL hard-coded "
            "1000 iterations. Step Law's optimum assumes a cosine that reaches 1e-5 exactly at the end."
        ),
        evidence=(
            "https://github.com/NVIDIA/Megatron-LM/issues/2258",
            "https://github.com/areal-project/AReaL/pull/1289",
            "https://github.com/NVIDIA-NeMo/RL/pull/939",
            "https://github.com/EleutherAI/gpt-neox/pull/1008",
            "https://github.com/EleutherAI/gpt-neox/pull/1011",
            "https://github.com/EleutherAI/gpt-neox/pull/1039",
        ),
        example="# Megatron\n--train-iters 100000 --lr-warmup-iters 2000 --lr-decay-iters 98000   # decay end is absolute",
        fix=(
            "Set the decay horizon to the run length in the framework's convention. --fix does it when "
            "the horizon is a step count in the file (absolute end, or post-warmup length); sample or "
            "token horizons are left to you."
        ),
        suppress="Change the 2% tolerance with [tool.steplint.rules.SL203] tolerance = 0.05.",
    ),
)
