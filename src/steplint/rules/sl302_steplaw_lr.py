"""SL302 steplaw-lr: the peak LR against the Step Law optimum for the recipe's (N, D)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from steplint.diagnostics import Applicability, Diagnostic, Fix, Severity
from steplint.rules._applicability import steplaw_applies
from steplint.rules._fixes import set_value_fix
from steplint.rules._steplaw_position import (
    cap_text, judge, law_inputs, num, penalty_text, ratio_text, severity, spread_text, total_text, where,
)
from steplint.rules.base import Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.laws.verdict import Verdict
    from steplint.recipe import Fact


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    peak = recipe.get("peak_lr")
    if peak is None or not isinstance(peak.value, (int, float)) or peak.value <= 0:
        return
    if law_inputs(recipe) is None or not steplaw_applies(recipe):
        return
    from steplint.laws.landscape import PenaltyKind
    from steplint.laws.verdict import default_tolerance

    v = judge(recipe)
    if v.lr_severity is None:
        return
    lr_ratio = v.lr_ratio
    assert lr_ratio is not None  # a severity means the LR was judged
    lr = float(peak.value)
    if v.batch_ratio is not None and abs(v.conditional_lr / v.lr_opt - 1) > 0.005:
        against = (f"{ratio_text(lr / v.conditional_lr)} the best LR {num(v.conditional_lr)} at this recipe's batch "
                   f"({ratio_text(v.batch_ratio)} the law's) and {ratio_text(lr_ratio)} the Step Law optimum "
                   f"{num(v.lr_opt)} for {where(recipe)}")
    else:
        against = f"{ratio_text(lr_ratio)} the Step Law optimum {num(v.lr_opt)} for {where(recipe)}"
    if v.total.kind is PenaltyKind.DIVERGENCE_RISK:
        cost = penalty_text(v.total)
    else:
        cost = f"the LR costs {penalty_text(v.total._replace(percent=v.lr_part), 'of final loss')}" + total_text(v)
    yield ctx.diagnostic(
        f"peak LR {num(lr)} is {against}; {cost}; {default_tolerance().lr_text()}"
        + cap_text(v, v.lr_severity, v.lr_capped) + spread_text(recipe, v),
        peak,
        severity=severity(v.lr_severity),
        fix=_fix(ctx, peak, v),
    )


def _fix(ctx: RuleContext, peak: Fact, v: Verdict) -> Optional[Fix]:
    """LR alone to the best LR at the configured batch, which by construction never raises the
    model's predicted loss (checked anyway); not offered beyond a mild extrapolation."""
    from steplint.laws.landscape import penalty

    if not v.unsafe_fixes:
        return None
    target = float(f"{v.conditional_lr:.3g}")  # a tidy literal
    batch_ratio = v.batch_ratio if v.batch_ratio is not None else 1.0
    after = penalty(target / v.lr_opt, batch_ratio)
    if v.total.percent is not None and (after.percent is None or after.percent >= v.total.percent):
        return None
    what = "the best LR at this batch" if v.batch_ratio is not None else "the Step Law optimum"
    return set_value_fix(peak, ctx.documents, target, f"Set the peak LR to {num(target)}, {what}",
                         Applicability.UNSAFE)


RULE = Rule(
    code="SL302",
    name="steplaw-lr",
    severity=Severity.WARNING,
    summary="Peak LR vs the best LR at the configured batch: severity from the LR's part of the joint penalty (calibrated).",
    check=check,
    fix_applicability="unsafe",
    docs=RuleDocs(
        what=(
            "Compares the peak LR with the best LR at the recipe's own global batch, and names the "
            "Step Law optimum lr* = 1.7973 N^-0.71292 D^0.30749 too (N non-embedding parameters, "
            "D training tokens). The loss landscape fitted on the released grids gives the expected "
            "final-loss penalty of the LR and batch together; it is split into what the batch costs "
            "with the LR at its best for that batch (SL303) and what the LR adds on top (this rule), "
            "so a small LR that a small batch explains is not blamed on the LR. Severity from the LR's "
            "part with thresholds calibrated on the released grids (docs/landscape.md: info from "
            "0.25%, warning from 0.85%, error from 1.45%, or an LR at 4x the optimum or more). "
            "Capped at warning within 3x outside the fitted range (N, D, D/N; or an MoE sparsity "
            "outside the tested ones) and at info beyond it or under a schedule the law did not "
            "measure (at warning under a cosine floor above 2e-5: peak/10 moves the optimum to a "
            "smaller LR). The message words the placement against where the grids' best runs sat "
            "relative to the law (10th-90th percentile), not against the bootstrap band, which is "
            "only the uncertainty of the fitted mean."
        ),
        why=(
            "Too high an LR is the first suspect for loss spikes and divergence: in Step Law's "
            "grids no run diverged at 2x the optimum or below, a fifth at 4x and most at 8x. Too "
            "low an LR wastes compute: a quarter of the optimum costs about 1% of final loss. The "
            "thresholds sit where the law's own accuracy allows: at most 5% of the runs the paper "
            "counts near-optimal are flagged at warning or above."
        ),
        evidence=(
            "Step Law, arXiv 2503.04715 (formula, bootstrap fits, loss landscape): https://arxiv.org/abs/2503.04715",
            "Divergence vs LR ratio in the released grids: ../shared/docs/steplaw.md section 5.2",
            "Loss spikes answered with 'lower the LR': https://github.com/mosaicml/llm-foundry/issues/232",
            "Aggressive LR and spiking: https://github.com/stas00/ml-engineering/issues/32",
        ),
        example="# 1.07e9 non-embedding params, 1e11 tokens\nlr: 6.5e-3\nmin_lr: 1.0e-5\nlr_decay_style: cosine\n",
        fix=(
            "`--fix --unsafe-fixes` sets the LR to the best LR at the configured batch, rounded to "
            "three digits (it never raises the model's predicted loss; SL303's fix moves LR and "
            "batch together to the joint optimum). Unsafe because it changes the run; not offered "
            "beyond a mild extrapolation. Silent for muP, non-AdamW optimizers, fine-tuning and "
            "continued pre-training (SL305)."
        ),
    ),
)
