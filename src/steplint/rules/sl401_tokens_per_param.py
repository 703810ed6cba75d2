"""SL401 tokens-per-param: D/N far below compute-optimal."""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._applicability import is_pretraining
from steplint.rules._support import human
from steplint.rules.base import Option, Rule, RuleContext, RuleDocs


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    n, d = recipe.value("n_params"), recipe.get("tokens")
    if not n or d is None or not isinstance(d.value, (int, float)) or not is_pretraining(recipe):
        return
    # Chinchilla's ~20 tokens per parameter is a dense result (Hoffmann et al. 2022): for MoE the
    # closest reading is per ACTIVE parameter; with the active count unknown, say nothing.
    active = recipe.value("n_params_active")
    arch = getattr(recipe, "arch", None)
    moe = bool(arch is not None and arch.is_moe) or (isinstance(active, (int, float)) and 0 < active < n)
    if moe and not (isinstance(active, (int, float)) and 0 < active < n):
        return
    total = recipe.value("n_params_total")
    if moe:
        ratio = d.value / active
        text = (f"{human(d.value)} tokens for {human(active)} active non-embedding parameters (MoE; {human(n)} in "
                f"all experts) is {ratio:.3g} tokens per active parameter")
        n = active
    else:
        ratio = d.value / n
        with_total = f" ({d.value / total:.3g} per parameter counting all {human(total)} parameters)" if total and total != n else ""
        text = (f"{human(d.value)} tokens for {human(n)} non-embedding parameters is {ratio:.3g} tokens per parameter"
                f"{with_total}")
    warn_below, info_below = ctx.option("warning_below"), ctx.option("info_below")
    if ratio < warn_below:
        yield ctx.diagnostic(
            f"{text}, under {human(warn_below)}: the model is badly under-trained for its size "
            f"(compute-optimal is about 20, Chinchilla); train about {human(round(20 * n))} tokens or use a smaller model",
            at=d, severity=Severity.WARNING,
        )
    elif ratio < info_below:
        yield ctx.diagnostic(
            f"{text}, under the compute-optimal ~{human(info_below)} (Chinchilla): a smaller model trained longer "
            f"would reach a lower loss for the same compute",
            at=d, severity=Severity.INFO,
        )


RULE = Rule(
    code="SL401",
    name="tokens-per-param",
    severity=Severity.WARNING,
    summary="Training tokens per parameter: warning under 5, info under 20.",
    check=_check,
    options={"warning_below": Option(5, "number", 0.0, help="D/N below this is a warning"),
             "info_below": Option(20, "number", 0.0, help="D/N below this is info")},
    docs=RuleDocs(
        what=(
            "Divides D (training tokens) by Step Law's N (non-embedding parameters), and also by the total "
            "parameter count; for MoE by the ACTIVE non-embedding parameters (Chinchilla's ~20 is a dense "
            "result; with the active count unknown the rule says nothing). Warning below 5 tokens per "
            "parameter, info below 20, in pre-training from scratch. Heavy over-training (Llama 3 8B at ~1,900) is intentional and not flagged here; "
            "SL304 notes when D/N leaves Step Law's fitted 1.9-466."
        ),
        why=(
            "Chinchilla's compute-optimal allocation is about 20 tokens per parameter (Hoffmann et al. "
            "2022). Far below it, the same compute buys a lower loss with a smaller model; under 5 the run "
            "is usually a unit or step-count mistake (aprender's gate was added after a 500M model was "
            "trained on 22M tokens and the problem was only found after the run)."
        ),
        evidence=(
            "Hoffmann et al. 2022, arXiv 2203.15556 (≈20 tokens per parameter)",
            "https://github.com/paiml/aprender/pull/1708 (warns under 5 and under 20)",
            "https://github.com/mosaicml/llm-foundry/issues/263",
        ),
        example="# 1B-parameter model, 2,000 steps × 1M tokens = 2e9 tokens: 2 tokens per parameter",
        fix="Train longer (more steps or a larger batch) or pick a smaller model; no automatic fix.",
        suppress="Change the thresholds with [tool.steplint.rules.SL401] warning_below / info_below.",
    ),
)
