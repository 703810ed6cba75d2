"""SL302/SL303 judged against a law other than Step Law (`check --law deepseek`).

Only Step Law's verdicts are calibrated (architecture.md section 5), so these findings are
info at most: they say how far the LR or batch is from that law's optimum and what the
Step Law loss landscape would give for that distance if that law were right. The engine
runs `checker(rule, law)` in place of the rule's own check when `--law` names another law.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._applicability import steplaw_applies
from steplint.rules.base import RuleContext

if TYPE_CHECKING:
    from steplint.rules.base import Rule

NOTICE_PERCENT = 0.25  # Step Law's near-optimal threshold; below it nothing is said


def _num(value: float) -> str:
    return f"{value:.3g}"


def checker(rule: Rule, law: str) -> Callable[[RuleContext], Iterator[Diagnostic]]:
    def check(ctx: RuleContext) -> Iterator[Diagnostic]:
        yield from _judge(ctx, law, lr_rule=rule.code == "SL302")
    return check


def _judge(ctx: RuleContext, law: str, lr_rule: bool) -> Iterator[Diagnostic]:
    from steplint.laws.landscape import PenaltyKind, penalty
    from steplint.laws.registry import evaluate, inputs_from_recipe

    recipe = ctx.recipe
    name = "peak_lr" if lr_rule else "global_batch_tokens"
    fact = recipe.get(name)
    if fact is None or not isinstance(fact.value, (int, float)) or fact.value <= 0 or not steplaw_applies(recipe):
        return
    inputs = inputs_from_recipe(recipe)
    if inputs.n_params is None or inputs.tokens is None:
        return
    if not lr_rule:  # blame the key that sets the batch, as SL303 does
        fact = next((f for f in (recipe.get(n) for n in ("global_batch_sequences", "global_batch_tokens"))
                     if f is not None and f.source.kind == "key"), fact)
    value = evaluate(law, inputs)
    optimum = value.lr if lr_rule else value.batch_tokens
    what = "peak LR" if lr_rule else "global batch"
    if optimum is None:
        yield ctx.diagnostic(f"{value.title} gives no {what} for this recipe ({value.note}); judged against "
                             f"--law {law}, so nothing is checked", fact, severity=Severity.INFO)
        return
    mine = float(recipe.value(name))
    ratio = mine / optimum
    land = penalty(lr_ratio=ratio) if lr_rule else penalty(batch_ratio=ratio)
    if land.kind is not PenaltyKind.DIVERGENCE_RISK and (land.percent or 0.0) < NOTICE_PERCENT:
        return
    unit = "" if lr_rule else " tokens"
    approx = f"; {value.note}" if value.approximate else ""
    yield ctx.diagnostic(
        f"{what} {_num(mine)}{unit} is {ratio:.2f}x the {value.title} optimum {_num(optimum)}{unit} "
        f"({value.citation}{approx}); if that law were right: {land.message} "
        f"(judged against --law {law}: info only, Step Law's verdicts alone are calibrated)",
        fact, severity=Severity.INFO)
