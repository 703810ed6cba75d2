"""SL502 adam-eps: an epsilon large enough to damp updates at scale."""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._applicability import is_pretraining
from steplint.rules._support import human
from steplint.rules.base import Option, Rule, RuleContext, RuleDocs


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    eps = recipe.get("adam_eps")
    if eps is None or not isinstance(eps.value, (int, float)) or not is_pretraining(recipe):
        return
    limit = ctx.option("max_eps")
    if eps.value >= limit:
        yield ctx.diagnostic(
            f"Adam eps {human(eps.value)} is ≥ {human(limit)}: when gradients' RMS per parameter falls to that "
            f"order (large models, late training) eps dominates the denominator and shrinks the updates, "
            f"like an unplanned LR decay; 1e-8 is the usual value",
            at=eps,
        )


RULE = Rule(
    code="SL502",
    name="adam-eps",
    severity=Severity.INFO,
    summary="Adam epsilon large relative to the expected gradient RMS at scale (≥ 1e-6).",
    check=_check,
    options={"max_eps": Option(1e-6, "number", 0.0, exclusive_minimum=True, help="eps above this is reported")},
    docs=RuleDocs(
        what="In pre-training, reports an Adam epsilon of 1e-6 or more (Llama 2 uses 1e-5; most stacks 1e-8).",
        why=(
            "Adam divides by sqrt(v) + eps. Wortsman et al. show the gradient RMS shrinks as models grow, "
            "so a large eps turns Adam into SGD with a smaller step for many parameters and the effective "
            "LR falls below the configured one; a smaller eps (down to 1e-15) restored the updates. The "
            "Step Law LR is only comparable when eps does not damp the update."
        ),
        evidence=(
            "Wortsman et al. 2023, arXiv 2309.14322 (eps vs gradient RMS at scale)",
            "Llama 2, arXiv 2307.09288 (eps 1e-5)",
        ),
        example="adam_epsilon: 1.0e-5",
        fix="Use 1e-8 (or smaller for very large models). No automatic fix.",
        suppress="Change the threshold with [tool.steplint.rules.SL502] max_eps = 1e-5.",
    ),
)
