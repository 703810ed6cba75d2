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


# Llama 2's β2 0.95 at its 4M-token batch: a half-life of 13.5 steps = 54M tokens (arXiv 2307.09288).
REFERENCE_HALF_LIFE_TOKENS = 4 * 2 ** 20 * math.log(0.5) / math.log(0.95)


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Conditioned on the batch, as Porian et al. state it (https://arxiv.org/abs/2406.19146,
    abstract): tuning β2 matters at small batch sizes, where a higher β2 than the usual 0.95 is what works; Marek et al.
    (arXiv 2507.07101) make it a rule, keep the half-life in tokens. So a high β2 is reported only
    when its half-life in tokens is far above the usual one at this batch, or when the batch is
    unknown (and then the message says it may be right for a small batch)."""
    recipe = ctx.recipe
    beta2 = recipe.get("adam_beta2")
    if beta2 is None or not isinstance(beta2.value, (int, float)) or not 0 < beta2.value < 1:
        return
    if not is_pretraining(recipe) or beta2.value < ctx.option("min_beta2"):
        return
    batch = recipe.value("global_batch_tokens")
    steps = math.log(0.5) / math.log(beta2.value)
    life = f"{human(round(steps))} steps"
    origin = " (the framework default)" if beta2.source.kind == "default" else ""
    if batch:
        tokens = half_life_tokens(beta2.value, batch)
        if tokens <= ctx.option("max_half_life_factor") * REFERENCE_HALF_LIFE_TOKENS:
            return  # a small batch: a high β2 is what Porian et al. found to work there
        life += f" = {human(tokens)} tokens at {human(batch)} tokens per step"
        usual = 0.5 ** (batch / REFERENCE_HALF_LIFE_TOKENS)
        yield ctx.diagnostic(
            f"Adam β2 {human(beta2.value)}{origin} has a half-life of {life}, "
            f"{tokens / REFERENCE_HALF_LIFE_TOKENS:.0f}x Llama 2's ~54M tokens (β2 0.95 at a 4M-token batch); at "
            f"this batch β2 ≈ {usual:.3g} keeps that half-life (Marek et al. 2025), and a slow second moment reacts "
            f"late to gradient spikes",
            at=beta2,
        )
        return
    yield ctx.diagnostic(
        f"Adam β2 {human(beta2.value)}{origin} has a half-life of {life}; LLM pre-training at large batches "
        f"usually uses 0.95 (GPT-3, Llama 2, DeepSeek), while at small batches a higher β2 is what works "
        f"(Porian et al. 2024): with the global batch unknown steplint cannot tell which this is",
        at=beta2,
    )


RULE = Rule(
    code="SL501",
    name="adam-beta2",
    severity=Severity.INFO,
    summary="Adam β2 at or above 0.99 in pre-training whose half-life in tokens is far above the usual at this batch.",
    check=_check,
    options={
        "min_beta2": Option(0.99, "number", 0.0, 1.0, help="β2 below this is reported"),
        "max_half_life_factor": Option(4.0, "number", 1.0, 1000.0,
                                       help="report when β2's half-life in tokens exceeds this many times Llama 2's"),
    },
    docs=RuleDocs(
        what=(
            "In pre-training, reports Adam's β2 when it is 0.99 or more (HF and Megatron default to 0.999) "
            "AND its half-life in tokens, t½ = B·ln 0.5 / ln β2, is more than 4x Llama 2's (β2 0.95 at "
            "4M tokens per step: ~54M tokens); it names the β2 that keeps that half-life at this batch. "
            "At small batches a high β2 is right and the rule is silent; with the batch unknown it says "
            "it cannot tell."
        ),
        why=(
            "GPT-3, Llama 2 and DeepSeek pre-train with β2 = 0.95; a slow second moment (0.999 remembers "
            "~693 steps) adapts late to loss spikes, a known source of instability at scale. But the "
            "right β2 depends on the batch: Porian et al. found tuning β2 essential at lower batch sizes "
            "(a higher β2 there), and Marek et al. recommend keeping the half-life in tokens constant "
            "when the batch changes, which is the rule applied here. Step Law does not document its β2, so this rule "
            "is advice, not part of the law."
        ),
        evidence=(
            "Porian et al. 2024, https://arxiv.org/abs/2406.19146 (abstract: tuning AdamW's β2 is essential at lower batch sizes)",
            "Marek et al. 2025, arXiv 2507.07101 (β2 half-life in tokens)",
            "Llama 2, arXiv 2307.09288 (β2 0.95); GPT-3, arXiv 2005.14165",
            "Wortsman et al. 2023, arXiv 2309.14322",
        ),
        example="adam_beta2: 0.999   # HF TrainingArguments default",
        fix="Set β2 to 0.95 (or keep the half-life in tokens of a recipe you trust). No automatic fix.",
        suppress="Change the thresholds with [tool.steplint.rules.SL501] min_beta2 = 0.999 or max_half_life_factor = 8.",
    ),
)
