"""SL301 steplaw-recipe: the schedule Step Law's optimum was measured under.

Step Law's runs decay with cosine to a fixed floor of 1e-5 (every released run name carries
`mlr1e-5`; arXiv 2503.04715 Fig. 6 compares it with a peak/10 floor). The accepted floor
band [0.5e-5, 2e-5] is the rule's own tolerance (a factor of 2 around the paper's value).
"""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Applicability, Diagnostic, Severity
from steplint.rules._applicability import steplaw_applies
from steplint.rules._fixes import set_value_fix
from steplint.rules._steplaw_position import num, origin
from steplint.rules.base import Rule, RuleContext, RuleDocs

STEPLAW_MIN_LR = 1e-5  # arXiv 2503.04715 section 4.1 / released run names `mlr1e-5`
FLOOR_LOW, FLOOR_HIGH = 0.5e-5, 2e-5


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    """One finding per recipe: the schedule (naming an off floor too), else the floor."""
    recipe = ctx.recipe
    if not steplaw_applies(recipe):
        return
    style_fact, floor = recipe.get("decay_style"), recipe.get("min_lr")
    style = style_fact.value if style_fact else None
    off_floor = (floor is not None and style != "constant" and isinstance(floor.value, (int, float))
                 and not FLOOR_LOW <= floor.value <= FLOOR_HIGH)
    if style is not None and style != "cosine":
        also = f", and its floor is min LR {num(floor.value)}{origin(floor)}" if off_floor else ""
        yield ctx.diagnostic(
            f"the LR schedule is {style}{origin(style_fact)}, not cosine to a fixed floor of 1e-5 as in "
            f"Step Law's runs{also}; the law's LR and batch optimum were measured under cosine (a peak/10 "
            "floor moves the optimum to a smaller LR and a larger batch)",
            style_fact,
        )
        return
    if floor is None:
        if style == "cosine":
            yield ctx.diagnostic(
                "the cosine schedule's floor (min LR) is not set, so it decays to the framework "
                "default; Step Law's recipe decays to a fixed 1.0e-5",
                style_fact,
            )
        return
    if not off_floor:
        return
    yield ctx.diagnostic(
        f"min LR {num(floor.value)}{origin(floor)} is outside [{num(FLOOR_LOW)}, {num(FLOOR_HIGH)}]: Step Law's "
        "optimum assumes a fixed floor of 1.0e-5",
        floor,
        # Only a plain absolute number is rewritten: a ratio (HF `min_lr_rate`, Megatron
        # `min_lr_ratio`) or a framework default has no literal to replace.
        fix=set_value_fix(floor, ctx.documents, STEPLAW_MIN_LR, "Set min LR to 1.0e-5", Applicability.SAFE),
    )


RULE = Rule(
    code="SL301",
    name="steplaw-recipe",
    severity=Severity.WARNING,
    summary="The schedule is not cosine to a fixed floor with min LR within [0.5e-5, 2e-5].",
    check=check,
    fix_applicability="safe",
    docs=RuleDocs(
        what=(
            "Checks that the LR schedule matches the one Step Law was fitted under: cosine decay "
            "to a fixed floor near 1e-5 (accepted: 0.5e-5 to 2e-5). It reports, once per recipe, a "
            "schedule that is not cosine (linear, WSD, constant, inverse-sqrt, ...; an off floor is "
            "named in the same finding), a cosine without a floor, or a floor outside the band, such "
            "as 10% of the peak or 0. Silent when the law does "
            "not apply (fine-tuning, continued pre-training, muP, non-AdamW; see SL305)."
        ),
        why=(
            "Step Law's LR and batch optima (SL302, SL303) are peak values for a schedule that "
            "ends at 1e-5. The paper's Figure 6 shows that a peak/10 floor moves the optimum to a "
            "smaller LR and a larger batch and reaches a higher final loss, so comparing a "
            "differently scheduled run with the law's numbers is biased."
        ),
        evidence=(
            "Step Law, arXiv 2503.04715, Fig. 6 and the released run names (`mlr1e-5`): https://arxiv.org/abs/2503.04715",
            "Laws are fitted under a specific schedule: https://github.com/deepseek-ai/DeepSeek-LLM/issues/71",
            "Step Law recipe questions: https://github.com/step-law/steplaw/issues/2",
        ),
        example="lr: 3.0e-4\nmin_lr: 3.0e-5      # peak/10, as GPT-3 and Llama 2 did\nlr_decay_style: cosine\n",
        fix=(
            "`--fix` sets an absolute min LR to 1.0e-5 (a safe fix: it only moves the floor, "
            "written `1.0e-5` so YAML 1.1 reads a float). A floor given as a ratio, a missing "
            "floor and a non-cosine schedule are reported but not rewritten."
        ),
    ),
)
