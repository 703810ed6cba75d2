"""SL301 steplaw-recipe: the schedule Step Law's optimum was measured under.

Step Law's runs decay with cosine to a fixed floor of 1e-5 (every released run name carries
`mlr1e-5`; arXiv 2503.04715 Fig. 6 compares it with a peak/10 floor). The accepted floor
band [0.5e-5, 2e-5] is the rule's own tolerance (a factor of 2 around the paper's value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from steplint.diagnostics import Applicability, Diagnostic, Severity
from steplint.rules._applicability import steplaw_applies
from steplint.rules._fixes import set_value_fix
from steplint.rules._steplaw_position import num, origin
from steplint.rules.base import Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.recipe import Fact, Recipe

STEPLAW_MIN_LR = 1e-5  # arXiv 2503.04715 section 4.1 / released run names `mlr1e-5`
FLOOR_LOW, FLOOR_HIGH = 0.5e-5, 2e-5


# What is known (arXiv 2503.04715 Fig. 6): against a floor of peak/10 the fixed 1e-5 floor reached a
# lower loss, and peak/10 moved the optimum to a smaller LR and a larger batch. Floors below 1e-5,
# decay to zero and other schedule shapes were not compared: not shown to hurt.
_KNOWN = "the paper compares a fixed 1e-5 floor with peak/10 only; lower floors were not shown to hurt"
PEAK_TENTH = (0.05, 0.2)  # floor / peak read as "about peak/10"


def _peak_tenth_clause(recipe: Recipe, floor: float) -> str:
    peak = recipe.value("peak_lr")
    if isinstance(peak, (int, float)) and peak > 0 and PEAK_TENTH[0] <= floor / peak <= PEAK_TENTH[1]:
        return (f" (a floor of about peak/10, as here, moved the optimum to a smaller LR and a larger batch "
                "and reached a higher loss in the paper's Fig. 6)")
    return ""


def _unstated(fact: Optional[Fact]) -> bool:
    """No file states this fact: it is absent or the framework's default."""
    return fact is None or fact.source.kind == "default"


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    """One finding per recipe (architecture.md section 4, SL301 row): a cosine floor above the
    window is a warning with the safe fix to 1.0e-5; a floor below it, decay to zero, a missing
    floor or a schedule other than cosine is info."""
    recipe = ctx.recipe
    if not steplaw_applies(recipe):
        return
    style_fact, floor = recipe.get("decay_style"), recipe.get("min_lr")
    style = style_fact.value if style_fact else None
    value = floor.value if floor is not None and isinstance(floor.value, (int, float)) else None
    off_floor = value is not None and style != "constant" and not FLOOR_LOW <= value <= FLOOR_HIGH
    if style_fact is not None and style is not None and style != "cosine":  # (a style comes with its fact)
        also = (f", and its floor is min LR {num(value)}{origin(floor)}"
                if off_floor and value is not None and floor is not None else "")  # (off_floor: both known)
        yield ctx.diagnostic(
            f"the LR schedule is {style}{origin(style_fact)}, not cosine to a fixed floor of 1e-5 as in "
            f"Step Law's runs{also}; the law's LR and batch optimum were measured under cosine, so SL302/SL303 "
            f"only give notices here",
            style_fact, severity=Severity.INFO,
        )
        return
    if floor is None:
        if style == "cosine":
            yield ctx.diagnostic(
                "the cosine schedule's floor (min LR) is not set, so it decays to the framework "
                f"default; Step Law's recipe decays to a fixed 1.0e-5 ({_KNOWN})",
                style_fact, severity=Severity.INFO,
            )
        return
    if not off_floor or value is None:  # (off_floor means a number was read)
        return
    peak = recipe.value("peak_lr")
    if isinstance(peak, (int, float)) and not isinstance(peak, bool) and value >= peak > 0:
        return  # a floor at or above the peak: the LR never decays, which SL202 reports
    if value < FLOOR_LOW:
        what = "decays to zero" if value == 0 else f"floor min LR {num(value)}{origin(floor)} is below [{num(FLOOR_LOW)}, {num(FLOOR_HIGH)}]"
        yield ctx.diagnostic(
            f"the schedule {what}; Step Law's runs decay to a fixed 1.0e-5 ({_KNOWN})",
            floor, severity=Severity.INFO,
        )
        return
    # A floor no key states (a default, or derived from defaults) under a peak LR no file states:
    # these files set no schedule at all (e.g. a MaxText model file, architecture only: the run's LR
    # comes from base.yml and the command line), so a notice, not a warning blamed on a file that
    # says nothing about it.
    unstated = floor.source.kind != "key" and _unstated(recipe.get("peak_lr"))
    yield ctx.diagnostic(
        f"min LR {num(value)}{origin(floor)} is above [{num(FLOOR_LOW)}, {num(FLOOR_HIGH)}]: Step Law's "
        f"optimum assumes a fixed floor of 1.0e-5{_peak_tenth_clause(recipe, value)}"
        + ("; these files set no LR schedule, so this is the framework's default: a notice" if unstated else ""),
        floor,
        severity=Severity.INFO if unstated else Severity.WARNING,
        # Only a plain absolute number is rewritten: a ratio (HF `min_lr_rate`, Megatron
        # `min_lr_ratio`) or a framework default has no literal to replace.
        fix=set_value_fix(floor, ctx.documents, STEPLAW_MIN_LR, "Set min LR to 1.0e-5", Applicability.SAFE),
    )


RULE = Rule(
    code="SL301",
    name="steplaw-recipe",
    severity=Severity.WARNING,
    summary="Cosine floor above [0.5e-5, 2e-5]: warning (safe fix 1.0e-5); lower floor, decay to zero, non-cosine: info.",
    check=check,
    fix_applicability="safe",
    docs=RuleDocs(
        what=(
            "Checks that the LR schedule matches the one Step Law was fitted under: cosine decay "
            "to a fixed floor near 1e-5 (accepted: 0.5e-5 to 2e-5). Once per recipe: a cosine floor "
            "above the window (such as 10% of the peak) is a warning; a floor below it, decay to zero, "
            "a cosine without a floor or a schedule that is not cosine (linear, WSD, constant, "
            "inverse-sqrt, ...; an off floor is named in the same finding) is info. Silent when the "
            "law does not apply (fine-tuning, continued pre-training, muP, non-AdamW; see SL305). A "
            "floor that no key states, under a peak LR no file states either (the files set no "
            "schedule: e.g. a MaxText model file), is the framework's default and only a notice."
        ),
        why=(
            "Step Law's LR and batch optima (SL302, SL303) are peak values for a schedule that "
            "ends at 1e-5. The paper's Figure 6 shows that a peak/10 floor moves the optimum to a "
            "smaller LR and a larger batch and reaches a higher final loss, so a high floor is worth "
            "a warning. The paper compares only those two floors: lower floors, decay to zero and "
            "other shapes are not shown to hurt, so they are notices (and SL302/SL303 drop to info "
            "under a schedule the law did not measure)."
        ),
        evidence=(
            "Step Law, arXiv 2503.04715, Fig. 6 and the released run names (`mlr1e-5`): https://arxiv.org/abs/2503.04715",
            "Laws are fitted under a specific schedule: https://github.com/deepseek-ai/DeepSeek-LLM/issues/71",
            "Step Law recipe questions: https://github.com/step-law/steplaw/issues/2",
        ),
        example="lr: 3.0e-4\nmin_lr: 3.0e-5      # peak/10, as GPT-3 and Llama 2 did\nlr_decay_style: cosine\n",
        fix=(
            "`--fix` sets an absolute min LR to 1.0e-5 (a safe fix: it only moves the floor, "
            "written `1.0e-5` so YAML 1.1 reads a float), only for a floor above the window. A floor "
            "given as a ratio, a low or missing floor and a non-cosine schedule are reported but not "
            "rewritten."
        ),
    ),
)
