"""SL303 steplaw-batch: the global batch in tokens against the Step Law optimum B* = 0.58069 D^0.57094."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from steplint.diagnostics import Diagnostic, Fix, Severity
from steplint.recipe import Fact, Recipe
from steplint.rules._applicability import steplaw_applies
from steplint.rules._fixes import batch_fix, literal_of
from steplint.rules._steplaw_position import (
    cap_text, first_key_fact, judge, law_inputs, num, penalty_text, ratio_text, severity, spread_text, total_text, where,
)
from steplint.rules.base import Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.laws.landscape import Penalty
    from steplint.laws.verdict import Verdict


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
    from steplint.laws.verdict import default_tolerance

    v = judge(recipe)
    if v.batch_severity is None or v.batch_ratio is None:  # (a severity means the batch was judged)
        return
    blamed = first_key_fact(recipe, "global_batch_sequences", "global_batch_tokens", "grad_accum", "micro_batch")
    fix, why_not = _fix(ctx, v) if v.unsafe_fixes else (None, "")
    best = (f"{num(v.conditional_lr)}, {ratio_text(v.conditional_lr / v.lr_opt)} the law's"
            if abs(v.conditional_lr / v.lr_opt - 1) > 0.005 else "the law's")
    # the joint penalty is stated once: by SL302 when it reports on this recipe, else here
    total = total_text(v) if v.lr_severity is None and v.lr is not None else ""
    yield ctx.diagnostic(
        f"global batch {num(batch)} tokens is {ratio_text(v.batch_ratio)} the Step Law optimum "
        f"{num(v.batch_opt)} for {where(recipe)}; with the LR at its best for this batch ({best}) the batch "
        f"costs {penalty_text(_batch_penalty(v), 'of final loss')}{total}; "
        f"{default_tolerance().batch_text()}" + cap_text(v, v.batch_severity, v.batch_capped) + spread_text(recipe, v)
        + (f" ({why_not})" if why_not else ""),
        blamed,
        severity=severity(v.batch_severity),
        fix=fix,
    )


def _batch_penalty(v: Verdict) -> Penalty:
    """The batch's part as a Penalty for penalty_text: it has a number even when the LR is a
    divergence risk (the batch's part is computed with the LR at its best)."""
    from steplint.laws.landscape import PenaltyKind

    kind = PenaltyKind.ESTIMATE if v.total.kind is PenaltyKind.DIVERGENCE_RISK else v.total.kind
    return v.total._replace(percent=v.batch_part, kind=kind)


def _fix(ctx: RuleContext, v: Verdict) -> tuple[Optional[Fix], str]:
    """Move to the joint optimum: the global batch to the law's, rounded to a multiple of micro x
    DP (and the accumulation steps too when the file also pins them, so a DeepSpeed triple still
    holds), the peak LR to the best LR at that rounded batch when it is a literal, D kept
    (`rules._fixes.batch_fix` rescales a run written in steps). Offered only when the model's
    predicted loss falls. Returns (fix, "") or (None, why no fix is offered)."""
    from steplint.laws.landscape import penalty
    from steplint.laws.verdict import best_lr_ratio

    recipe = ctx.recipe
    seq_len = _count(recipe, "seq_len")
    if seq_len is None:
        return None, ""
    micro, dp, accumulation = _count(recipe, "micro_batch"), _count(recipe, "data_parallel"), _count(recipe, "grad_accum")
    sequences, new_accumulation = rounded_batch(v.batch_opt / seq_len, micro, dp)
    new_ratio = sequences * seq_len / v.batch_opt
    changes: list[tuple[Optional[Fact], float]] = []
    global_fact = first_key_fact(recipe, "global_batch_sequences")
    if global_fact is not None and global_fact.source.kind == "key":
        changes.append((global_fact, sequences))
    tokens_fact = recipe.get("global_batch_tokens")
    if tokens_fact is not None and tokens_fact.source.kind == "key":
        changes.append((tokens_fact, sequences * seq_len))
    if accumulation is not None and micro is not None and dp is not None:
        changes.append((recipe.get("grad_accum"), new_accumulation))
    message = f"Set the global batch to {sequences} sequences ({num(sequences * seq_len)} tokens)"
    lr_after = v.lr_ratio if v.lr_ratio is not None else 1.0
    if v.lr is not None:
        target = float(f"{v.lr_opt * best_lr_ratio(new_ratio):.3g}")
        peak = recipe.get("peak_lr")
        if literal_of(peak, ctx.documents) is not None and abs(target / v.lr - 1) > 0.005:
            changes.append((peak, target))
            lr_after = target / v.lr_opt
            message += f" and the peak LR to {num(target)}, the best LR at that batch"
    after = penalty(lr_after, new_ratio)
    before = float("inf") if v.total.percent is None else v.total.percent  # None: the LR is a divergence risk
    if after.percent is None or after.percent >= before:
        return None, "no batch fix: at this LR a batch at the law's optimum would not lower the predicted loss"
    return batch_fix(recipe, ctx.documents, changes, sequences * seq_len, message)


RULE = Rule(
    code="SL303",
    name="steplaw-batch",
    severity=Severity.WARNING,
    summary="Global batch vs the Step Law optimum, judged with the LR at its best for that batch (calibrated).",
    check=check,
    fix_applicability="unsafe",
    docs=RuleDocs(
        what=(
            "Compares the global batch per optimizer step, in tokens (sequences x seq_len), with "
            "the Step Law optimum B* = 0.58069 D^0.57094 tokens (D training tokens). Its severity "
            "comes from the batch's part of the joint penalty: what the batch costs with the LR "
            "moved to its best for that batch (the valley is tilted: a larger batch wants a larger "
            "LR), with the thresholds calibrated on the released grids (info from 0.25%, warning "
            "from 0.85%, error from 1.45%; docs/landscape.md) and the same caps as SL302 outside "
            "the fitted range and under unmeasured schedules. The joint penalty is stated once per "
            "recipe: by SL302 when it reports, else here."
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
            "`--fix --unsafe-fixes` moves LR and batch together to the joint optimum: the global "
            "batch to the law's, rounded to a multiple of micro batch x data parallel, and the peak "
            "LR to the best LR at that batch (when it is a literal); offered only when the model's "
            "predicted loss falls, and not beyond a mild extrapolation. The batch is rounded to a multiple of "
            "micro batch x data parallel (and the accumulation steps, when the file pins them, so "
            "micro x accumulation x DP still equals the global batch). The token budget D stays: "
            "when the run length is written in steps, the train steps (and warmup and decay "
            "horizon written in steps) are rescaled so steps x batch tokens = D; where they "
            "cannot be rewritten no fix is offered and the message says why. Unsafe: it changes "
            "the run."
        ),
    ),
)
