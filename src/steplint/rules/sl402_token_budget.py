"""SL402 token-budget: declared token budget vs steps × batch; compute and GPU-hours."""

from __future__ import annotations

from typing import Iterator, Optional

from steplint.diagnostics import Diagnostic, Severity
from steplint.recipe import Recipe
from steplint.resources import load_data_json
from steplint.rules._support import human
from steplint.rules.base import Option, Rule, RuleContext, RuleDocs


def flops_per_token(recipe: Recipe) -> tuple[Optional[float], Optional[float]]:
    """(6·N_active, M = 6·N_active + 12·L·h·seq) FLOPs per training token.

    M is Step Law's fit_tool.py FLOP count (attention scores included); MoE uses active
    parameters while the law's N is total (steplaw.md §1.4)."""
    n = recipe.value("n_params_active") or recipe.value("n_params")
    if not n:
        return None, None
    six_n = 6.0 * n
    layers, hidden, seq = recipe.value("num_layers"), recipe.value("hidden_size"), recipe.value("seq_len")
    if layers and hidden and seq:
        return six_n, six_n + 12.0 * layers * hidden * seq
    return six_n, None


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    budget = recipe.get("token_budget")
    tokens_fact = recipe.get("tokens")
    if budget is None and tokens_fact is not None and tokens_fact.source.kind == "override":
        budget = tokens_fact  # --tokens / [tool.steplint] tokens declares the budget too
    steps, batch = recipe.value("train_steps"), recipe.value("global_batch_tokens")
    if budget is not None and steps and batch:
        planned = steps * batch
        tolerance = ctx.option("tolerance")
        if abs(planned - budget.value) > tolerance * budget.value:
            yield ctx.diagnostic(
                f"the declared token budget is {human(budget.value)} but {human(steps)} steps × "
                f"{human(batch)} tokens per step = {human(planned)} ({planned / budget.value:.3g}× the budget)",
                at=budget, severity=Severity.WARNING,
            )
    tokens = recipe.value("tokens")
    six_n, m = flops_per_token(recipe)
    if not tokens or six_n is None:
        return
    gpus = load_data_json("gpus.json")["gpus"]
    gpu_key, mfu = str(ctx.option("gpu")).lower(), float(ctx.option("mfu"))
    gpu = gpus.get(gpu_key)
    compute = (m or six_n) * tokens
    text = f"compute 6ND = {human(six_n * tokens)} FLOPs"
    if m is not None:
        text += f", M·D = {human(m * tokens)} FLOPs with attention (M = 6N + 12·L·h·seq)"
    if gpu is None:
        text += f"; no GPU-hours: unknown gpu {gpu_key!r} (data/gpus.json has {', '.join(sorted(gpus))})"
    elif mfu > 0:
        hours = compute / (gpu["bf16_flops"] * mfu * 3600.0)
        shown = human(round(hours)) if hours >= 1 else "<1"
        text += f"; ≈{shown} {gpu['name']} GPU-hours at {mfu:.0%} MFU"
    yield ctx.diagnostic(text, at=recipe.get("tokens"), severity=Severity.INFO)


RULE = Rule(
    code="SL402",
    name="token-budget",
    severity=Severity.WARNING,
    summary="Declared token budget ≠ steps × batch (warning); compute as 6ND and M·D and GPU-hours (info).",
    check=_check,
    options={"tolerance": Option(0.01, "number", 0.0, help="relative gap between budget and steps x batch allowed"),
             "mfu": Option(0.4, "number", 0.0, 1.0, exclusive_minimum=True, help="model FLOPs utilisation, a fraction"),
             "gpu": Option("h100-sxm", "string", help="a GPU of data/gpus.json")},
    docs=RuleDocs(
        what=(
            "When a token budget is declared (a dialect's `token_budget` such as Megatron-DeepSpeed --train-tokens, "
            "or --tokens / [tool.steplint] tokens) and the run length is also given in steps, checks that "
            "steps × global batch tokens matches it within 1%. Always reports the compute as 6ND and as "
            "M·D with Step Law's attention term, M = 6N + 12·L·h·seq (active parameters for MoE), and the "
            "GPU-hours at a settable MFU (default 40%) and GPU type (default h100-sxm; data/gpus.json)."
        ),
        why=(
            "A budget and a step count that disagree mean the run stops early or the schedule is computed "
            "for another length (Megatron-DeepSpeed stops at --train-tokens whatever --train-iters says). "
            "The compute line lets a reviewer see the cost of a recipe before it is queued; 6ND drops the "
            "attention FLOPs, which Step Law and DeepSeek include (about 4% batch difference at 1B/100B)."
        ),
        evidence=(
            "Kaplan et al. 2020, arXiv 2001.08361 (C ≈ 6ND)",
            "Step Law fit_tool.py M = 6N + 12·L·h·seq (steplaw.md §1.4); DeepSeek LLM arXiv 2401.02954",
            "PaLM MFU 46.2% (arXiv 2204.02311); Llama 3 38-43% (arXiv 2407.21783)",
            "GPU peaks: vendor datasheets, listed in data/gpus.json",
        ),
        example=(
            "# Megatron-DeepSpeed\n"
            "--train-tokens 300000000000 --train-iters 100000 --global-batch-size 512 --seq-length 2048"
        ),
        fix="Make the step count and the budget agree (steps = budget / tokens per step). No automatic fix.",
        suppress=(
            "Set [tool.steplint.rules.SL402] mfu = 0.35 and gpu = \"a100\" (keys of data/gpus.json) for the "
            "estimate; --ignore SL402 hides the info line."
        ),
    ),
)
