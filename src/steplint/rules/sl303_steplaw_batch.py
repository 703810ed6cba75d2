"""SL303 steplaw-batch: the global batch in tokens against the Step Law optimum B* = 0.58069 D^0.57094."""

from __future__ import annotations

from typing import Iterator, Optional

from steplint.diagnostics import Diagnostic, Fix, Severity
from steplint.recipe import Recipe
from steplint.rules._applicability import steplaw_applies
from steplint.rules._fixes import batch_fix
from steplint.rules._steplaw_position import (
    first_key_fact, law_inputs, num, penalty_text, place, ratio_text, severity_of, where,
)
from steplint.rules.base import Rule, RuleContext, RuleDocs


def _count(recipe: Recipe, name: str) -> Optional[int]:
    value = recipe.value(name)
    return int(value) if isinstance(value, (int, float)) and value > 0 and value == int(value) else None


def rounded_batch(target_sequences: float, micro: Optional[int], data_parallel: Optional[int]) -> tuple[int, int]:
    """(global batch in sequences, its accumulation steps): the nearest multiple of
    micro x DP to the target (at least one), so micro x accumulation x DP = global holds."""
    step = (micro or 1) * (data_parallel or 1)
    accumulation = max(1, round(target_sequences / step))
    return accumulation * step, accumulation


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    batch = recipe.value("global_batch_tokens")
    if not isinstance(batch, (int, float)) or batch <= 0:
        return
    if law_inputs(recipe) is None or not steplaw_applies(recipe):
        return
    placement = place(recipe, batch_tokens=float(batch))
    penalty = placement.position.penalty
    severity = severity_of(penalty)
    if severity is None:
        return
    band = placement.band
    blamed = first_key_fact(recipe, "global_batch_sequences", "global_batch_tokens", "grad_accum", "micro_batch")
    fix, why_not = _fix(ctx, placement.batch_tokens)
    yield ctx.diagnostic(
        f"global batch {num(batch)} tokens is {ratio_text(placement.position.batch_ratio)} the Step Law optimum "
        f"{num(placement.batch_tokens)} for {where(recipe)} ({band.level:.0%} band "
        f"{num(band.batch_tokens_low)}..{num(band.batch_tokens_high)}); {penalty_text(penalty)}"
        + (f" ({why_not})" if why_not else ""),
        blamed,
        severity=severity,
        fix=fix,
    )


def _fix(ctx: RuleContext, optimum_tokens: float) -> tuple[Optional[Fix], str]:
    """Rewrite the literal(s) that set the global batch: the global batch key, and the
    accumulation steps too when the file also pins them (a DeepSpeed triple must still
    hold); D stays fixed (`rules._fixes.batch_fix` rescales a run written in steps).
    Returns (fix, "") or (None, why no fix is offered)."""
    recipe = ctx.recipe
    seq_len = _count(recipe, "seq_len")
    if seq_len is None:
        return None, ""
    micro, dp, accumulation = _count(recipe, "micro_batch"), _count(recipe, "data_parallel"), _count(recipe, "grad_accum")
    sequences, new_accumulation = rounded_batch(optimum_tokens / seq_len, micro, dp)
    changes = []
    global_fact = first_key_fact(recipe, "global_batch_sequences")
    if global_fact is not None and global_fact.source.kind == "key":
        changes.append((global_fact, sequences))
    tokens_fact = recipe.get("global_batch_tokens")
    if tokens_fact is not None and tokens_fact.source.kind == "key":
        changes.append((tokens_fact, sequences * seq_len))
    if accumulation is not None and micro is not None and dp is not None:
        changes.append((recipe.get("grad_accum"), new_accumulation))
    message = f"Set the global batch to {sequences} sequences ({num(sequences * seq_len)} tokens)"
    return batch_fix(recipe, ctx.documents, changes, sequences * seq_len, message)


RULE = Rule(
    code="SL303",
    name="steplaw-batch",
    severity=Severity.WARNING,
    summary="Global batch vs the Step Law optimum: warning from a 0.25% expected loss penalty, error from 1%.",
    check=check,
    fix_applicability="unsafe",
    docs=RuleDocs(
        what=(
            "Compares the global batch per optimizer step, in tokens (sequences x seq_len), with "
            "the Step Law optimum B* = 0.58069 D^0.57094 tokens (D training tokens) and reports "
            "the ratio, the 90% bootstrap band and the expected final-loss penalty. Severity: "
            "warning from +0.25%, error from +1%; beyond the grids' range (1/8 or 8x the optimum) "
            "the penalty at the edge is a lower bound and severity uses it."
        ),
        why=(
            "Step Law's batch is counted in tokens, not sequences, which is where most batch "
            "mistakes start. In the released grids a quarter of the optimal batch costs about "
            "1.6% of final loss and 4x costs about 1.3%; a too-large batch also spends compute "
            "on steps that bring less progress each."
        ),
        evidence=(
            "Step Law, arXiv 2503.04715 (batch law in tokens, landscape): https://arxiv.org/abs/2503.04715",
            "Penalty vs batch ratio: ../shared/docs/steplaw.md section 5.2",
            "Batch units confusion: https://github.com/mosaicml/llm-foundry/issues/262",
        ),
        example="# D = 1e11 tokens, seq_len 2048: the optimum is about 540 sequences\nglobal_batch_size: 64\nseq_length: 2048\n",
        fix=(
            "`--fix --unsafe-fixes` sets the global batch to the optimum rounded to a multiple of "
            "micro batch x data parallel (and the accumulation steps, when the file pins them, so "
            "micro x accumulation x DP still equals the global batch). The token budget D stays: "
            "when the run length is written in steps, the train steps (and warmup and decay "
            "horizon written in steps) are rescaled so steps x batch tokens = D; where they "
            "cannot be rewritten no fix is offered and the message says why. Unsafe: it changes "
            "the run."
        ),
    ),
)
