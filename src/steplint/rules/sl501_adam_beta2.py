"""SL501 adam-beta2: β2 and its half-life in tokens."""

from __future__ import annotations

import math
from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._applicability import is_pretraining
from steplint.rules._support import human
from steplint.rules.base import Option, Rule, RuleContext, RuleDocs


def half_life_tokens(beta2: float, batch_tokens: float) -> float:
    """Tokens after which Adam's second moment has forgotten half of its past
    (Marek et al. 2025): t½ = B · ln 0.5 / ln β2."""
    return batch_tokens * math.log(0.5) / math.log(beta2)


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    beta2 = recipe.get("adam_beta2")
    if beta2 is None or not isinstance(beta2.value, (int, float)) or not 0 < beta2.value < 1:
        return
    if not is_pretraining(recipe) or beta2.value < ctx.option("min_beta2"):
        return
    batch = recipe.value("global_batch_tokens")
    steps = math.log(0.5) / math.log(beta2.value)
    life = f"{human(round(steps))} steps"
    if batch:
        life += f" = {human(half_life_tokens(beta2.value, batch))} tokens at {human(batch)} tokens per step"
    origin = " (the framework default)" if beta2.source.kind == "default" else ""
    yield ctx.diagnostic(
        f"Adam β2 {human(beta2.value)}{origin} has a half-life of {life}; LLM pre-training usually uses 0.95 "
        f"(GPT-3, Llama 2, DeepSeek: ~54M tokens at Llama 2's 4M-token batch), which reacts faster to gradient "
        f"spikes",
        at=beta2,
    )


RULE = Rule(
    code="SL501",
    name="adam-beta2",
    severity=Severity.INFO,
    summary="Adam β2 at or above 0.99 in pre-training, with its half-life in tokens.",
    check=_check,
    options={"min_beta2": Option(0.99, "number", 0.0, 1.0, help="β2 below this is reported")},
    docs=RuleDocs(
        what=(
            "In pre-training, reports Adam's β2 when it is 0.99 or more (HF and Megatron default to 0.999) "
            "with its half-life in steps and in tokens, t½ = B·ln 0.5 / ln β2."
        ),
        why=(
            "GPT-3, Llama 2 and DeepSeek pre-train with β2 = 0.95; a slow second moment (0.999 remembers "
            "~693 steps) adapts late to loss spikes, a known source of instability at scale. Porian et al. "
            "found tuning β2 essential at small batches, and Marek et al. recommend keeping the half-life "
            "in tokens constant when the batch changes. Step Law does not document its β2, so this rule "
            "is advice, not part of the law."
        ),
        evidence=(
            "Porian et al. 2024, arXiv 2406.19146 (β2 matters at small batch)",
            "Marek et al. 2025, arXiv 2507.07101 (β2 half-life in tokens)",
            "Llama 2, arXiv 2307.09288 (β2 0.95); GPT-3, arXiv 2005.14165",
            "Wortsman et al. 2023, arXiv 2309.14322",
        ),
        example="adam_beta2: 0.999   # HF TrainingArguments default",
        fix="Set β2 to 0.95 (or keep the half-life in tokens of a recipe you trust). No automatic fix.",
        suppress="Change the threshold with [tool.steplint.rules.SL501] min_beta2 = 0.999.",
    ),
)
