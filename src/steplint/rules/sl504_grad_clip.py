"""SL504 grad-clip: gradient clipping disabled in pre-training."""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._applicability import is_pretraining
from steplint.rules.base import Rule, RuleContext, RuleDocs


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    clip = recipe.get("grad_clip")
    if clip is None or not is_pretraining(recipe):
        return
    value = clip.value
    disabled = value is None or value is False or (isinstance(value, (int, float)) and value <= 0)
    if disabled:
        shown = "unset (null)" if value is None else repr(value)
        yield ctx.diagnostic(
            f"gradient clipping is disabled ({shown}) in pre-training; one outlier batch can then blow up "
            f"the weights. GPT-3, Llama 2 and DeepSeek clip the global norm at 1.0",
            at=clip,
        )


RULE = Rule(
    code="SL504",
    name="grad-clip",
    severity=Severity.WARNING,
    summary="Gradient clipping disabled (0 or null) in pre-training.",
    check=_check,
    docs=RuleDocs(
        what=(
            "Warns when the gradient-norm clip is 0, negative or null in pre-training from scratch "
            "(HF max_grad_norm, Megatron --clip-grad, DeepSpeed gradient_clipping, torchtitan max_norm)."
        ),
        why=(
            "Global-norm clipping at 1.0 is standard in LLM pre-training (GPT-3, Llama 2, DeepSeek, "
            "Wortsman et al.) and the default of HF, Megatron and DeepSpeed; turning it off removes the "
            "guard against the loss spikes maintainers list as the first sign of a too-high LR."
        ),
        evidence=(
            "Llama 2, arXiv 2307.09288; GPT-3, arXiv 2005.14165 (clip 1.0)",
            "Wortsman et al. 2023, arXiv 2309.14322",
            "https://github.com/mosaicml/llm-foundry/issues/232 (loss spikes)",
        ),
        example="max_grad_norm: 0",
        fix="Set the clip to 1.0. No automatic fix.",
    ),
)
