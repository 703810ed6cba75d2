"""SL204 warmup-length: warmup against the decay end, the run and Adam's β2."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from steplint.diagnostics import Applicability, Diagnostic, Severity
from steplint.rules._fixes import set_value_fix
from steplint.rules._support import human, percent
from steplint.rules.base import Option, Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.diagnostics import Fix
    from steplint.recipe import Fact


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    warmup = recipe.get("warmup_steps")
    if warmup is None or not isinstance(warmup.value, (int, float)) or warmup.value <= 0:
        return
    steps = recipe.value("train_steps")
    end = recipe.value("decay_end_step")
    style = str(recipe.value("decay_style", "cosine")).lower()
    if steps and warmup.value >= steps:
        yield ctx.diagnostic(
            f"warmup ({human(warmup.value)} steps) is as long as the run ({human(steps)} steps): the LR never "
            f"reaches its peak and never decays",
            at=warmup, fix=_fix(ctx, warmup, steps),
        )
        return
    if end and style != "constant" and warmup.value >= end:
        yield ctx.diagnostic(
            f"warmup ({human(warmup.value)} steps) does not end before the decay does (step {human(end)}); "
            f"Megatron asserts warmup < decay steps, other schedulers clamp or divide by zero",
            at=warmup, fix=_fix(ctx, warmup, steps),
        )
        return
    limit = ctx.option("max_fraction")
    if steps and warmup.value > limit * steps:
        yield ctx.diagnostic(
            f"warmup is {human(warmup.value)} of {human(steps)} steps ({percent(warmup.value / steps)}, over "
            f"{percent(limit)}): a long warmup shortens the useful part of the schedule",
            at=warmup, severity=Severity.WARNING,
        )
        return
    beta2 = recipe.value("adam_beta2")
    if isinstance(beta2, (int, float)) and 0 < beta2 < 1:
        needed = 2.0 / (1.0 - beta2)
        if warmup.value < needed:
            yield ctx.diagnostic(
                f"warmup of {human(warmup.value)} steps is shorter than 2/(1-β2) = {human(round(needed))} steps for "
                f"β2 {human(beta2)}: Adam corrects the bias of its moment estimates, but its second-moment "
                f"estimate still averages few gradients then, so the first updates at the peak LR have a high "
                f"variance (the argument for warmup in Ma & Yarats 2019 and Liu et al. 2020)",
                at=warmup, severity=Severity.INFO,
            )


def _fix(ctx: RuleContext, warmup: Fact, steps: Optional[int]) -> Optional[Fix]:
    """Clamp to min(2000 steps, 5% of the run): the common pretraining warmup (Llama 2,
    DeepSeek LLM) capped for short runs. A proposal, so unsafe."""
    if not steps:
        return None
    target = max(1, min(2000, int(0.05 * steps)))
    return set_value_fix(warmup, ctx.documents, target, f"set the warmup to {target} steps (min(2000, 5% of {steps}))",
                         Applicability.UNSAFE)


RULE = Rule(
    code="SL204",
    name="warmup-length",
    severity=Severity.ERROR,
    summary="Warmup ≥ decay end or ≥ run: error; > 20% of steps: warning; < 2/(1-β2) steps: info.",
    check=_check,
    fix_applicability="unsafe",
    options={"max_fraction": Option(0.2, "number", 0.0, 1.0, exclusive_minimum=True,
                                     help="warmup longer than this fraction of the steps is a warning")},
    docs=RuleDocs(
        what=(
            "Error when the warmup is at least as long as the run or does not end before the decay ends. "
            "Warning when it exceeds 20% of the optimizer steps. Info when it is shorter than 2/(1-β2) "
            "steps (40 at β2 = 0.95, 2,000 at 0.999), the Ma & Yarats rule of thumb for Adam: Adam's "
            "bias correction fixes the scale of its moment estimates, but over its first ~1/(1-β2) "
            "steps the second moment averages few gradients, so early updates have a high variance; "
            "warmup keeps those steps small."
        ),
        why=(
            "prime-rl crashed with warmup == max_steps; torchtitan warns and silently clamps when warmup + "
            "decay exceed the run; axolotl moved its examples to warmup_ratio because fixed warmup steps "
            "were too long for small data. A warmup over 20% spends a fifth of the compute below the peak "
            "LR, and Porian et al. found overlong warmup distorts small-model scaling results."
        ),
        evidence=(
            "https://github.com/PrimeIntellect-ai/prime-rl/issues/968",
            "https://github.com/pytorch/torchtitan/pull/938",
            "https://github.com/pytorch/torchtitan/pull/950",
            "https://github.com/axolotl-ai-cloud/axolotl/pull/2897",
            "https://github.com/mlc-ai/pith-train/pull/55",
            "Ma & Yarats 2019, arXiv 1910.04209 (warmup ≈ 2/(1-β2))",
            "Liu et al. 2020 (RAdam), arXiv 1908.03265 (variance of the adaptive LR early in training)",
            "Porian et al. 2024, arXiv 2406.19146",
        ),
        example="max_steps: 1000\nwarmup_steps: 1000",
        fix=(
            "Shorten the warmup; about 2,000 steps or a few percent of the run is common (Llama 2, "
            "DeepSeek LLM). --unsafe-fixes sets min(2000, 5% of the steps) in the error case."
        ),
        suppress="Change the 20% threshold with [tool.steplint.rules.SL204] max_fraction = 0.3.",
    ),
)
