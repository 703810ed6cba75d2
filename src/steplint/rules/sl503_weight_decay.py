"""SL503 weight-decay: no weight decay in pre-training."""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._applicability import is_pretraining
from steplint.rules.base import Rule, RuleContext, RuleDocs


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    wd = recipe.get("weight_decay")
    if wd is None or not isinstance(wd.value, (int, float)) or wd.value != 0 or not is_pretraining(recipe):
        return
    origin = " (the framework default)" if wd.source.kind == "default" else ""
    yield ctx.diagnostic(
        f"weight decay is 0{origin} in pre-training; GPT-3, Llama 2 and DeepSeek use 0.1 with AdamW",
        at=wd,
    )


RULE = Rule(
    code="SL503",
    name="weight-decay",
    severity=Severity.INFO,
    summary="Zero weight decay in pre-training.",
    check=_check,
    docs=RuleDocs(
        what="Reports a weight decay of 0 in pre-training from scratch (HF's default is 0.0).",
        why=(
            "0.1 is the usual AdamW decay for LLM pre-training (GPT-3, Llama 2, DeepSeek LLM). Without it "
            "the weights' norm grows and the effective LR falls over the run; the AdamW timescale "
            "τ = B/(η·λ·D) is what should stay stable across scales (Wang & Aitchison 2024; Bergsma et al. "
            "2025). Step Law does not document its decay, so this is recipe advice, not the law."
        ),
        evidence=(
            "Wang & Aitchison 2024, arXiv 2405.13698 (AdamW timescale)",
            "Bergsma et al. 2025, arXiv 2505.13738",
            "Llama 2, arXiv 2307.09288; GPT-3, arXiv 2005.14165 (weight decay 0.1)",
        ),
        example="weight_decay: 0.0",
        fix="Set weight_decay: 0.1 unless zero is intended. No automatic fix.",
    ),
)
