"""SL304 steplaw-range: the recipe lies outside the (N, D) region Step Law was fitted on."""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.resources import load_data_json
from steplint.rules._applicability import steplaw_applies
from steplint.rules._support import human
from steplint.rules.base import Rule, RuleContext, RuleDocs

_LABELS = {
    "n_params": "N (non-embedding parameters)",
    "tokens": "D (training tokens)",
    "tokens_per_param": "D/N",
    "seq_len": "sequence length",
    "active_fraction": "active/total parameters (MoE sparsity)",
}


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    if not steplaw_applies(recipe):
        return  # SL305 already says the law does not apply
    n, n_active, d = recipe.value("n_params"), recipe.value("n_params_active"), recipe.value("tokens")
    if not n or not d:
        return
    moe = bool(n_active and n_active < n)
    law = load_data_json("steplaw.json")
    ranges = law["moe_range" if moe else "fitted_range"]
    values = {"n_params": n, "tokens": d, "tokens_per_param": d / n, "seq_len": recipe.value("seq_len")}
    if moe:
        values["active_fraction"] = n_active / n
    outside = []
    for key, value in values.items():
        if value is None or key not in ranges:
            continue
        low, high = ranges[key]
        if value < low * (1 - 1e-9) or value > high * (1 + 1e-9):
            span = human(low) if low == high else f"{human(low)}-{human(high)}"
            outside.append(f"{_LABELS[key]} {human(value)} (fitted: {span})")
    if outside:
        from steplint.laws.verdict import extrapolation

        kind = "MoE" if moe else "dense"
        where = extrapolation(float(n), float(d), float(n_active) if moe else None)
        effect = {
            "far": f"; {where.worst} is {where.factor:.3g}x outside, so SL302/SL303 give notices only and no unsafe LR or batch fix",
            "mild": (f"; {where.worst} is {where.factor:.3g}x outside (within 3x), so SL302/SL303 are at most warnings"
                     if where.factor > 1 else "; so SL302/SL303 are at most warnings"),
        }.get(where.level, "; the authors saw no effect of the sequence length (steplaw#2), so it does not lower SL302/SL303"
              if all(o.startswith(_LABELS["seq_len"]) for o in outside)
              else "; inside the dense and MoE grids together, so SL302/SL303 keep their severity")
        yield ctx.diagnostic(
            f"outside Step Law's {kind} fitted range, so its LR and batch are an extrapolation: " + "; ".join(outside)
            + effect,
            at=recipe.get("n_params") if any(o.startswith("N ") for o in outside) else recipe.get("tokens"),
        )


RULE = Rule(
    code="SL304",
    name="steplaw-range",
    severity=Severity.INFO,
    summary="N, D, D/N, seq_len or MoE sparsity outside Step Law's fitted range.",
    check=_check,
    docs=RuleDocs(
        what=(
            "Compares N, D, D/N, the sequence length and (for MoE) the active fraction with the ranges "
            "Step Law's runs covered, read from data/steplaw.json (derived from the released grids and the "
            "paper's Fig. 7): dense N 5.9e7-1.07e9, D 2e9-1e11, D/N 1.9-466, seq_len 2048; MoE total N "
            "≈2.15e9, D 2e9-2e10, active fraction 0.087-0.576. One notice lists everything outside."
        ),
        why=(
            "The law's predictions outside these ranges are extrapolations of a power law: the authors "
            "ran only single-point checks above 1B (steplaw#4) and every run used seq_len 2048 "
            "(steplaw#2). The SL302/SL303 numbers are still the best available guess, but their "
            "bootstrap band understates the real uncertainty there."
        ),
        evidence=(
            "arXiv 2503.04715 (Step Law), Fig. 7 and released grids; steplaw.md §3",
            "https://github.com/step-law/steplaw/issues/4",
            "https://github.com/step-law/steplaw/issues/2",
        ),
        example="# a 7B model on 1.4T tokens: N 6.5e9 and D 1.4e12 are both above the fitted range",
        fix="Nothing to fix; treat the Step Law LR and batch as a starting point and validate with a short sweep.",
    ),
)
