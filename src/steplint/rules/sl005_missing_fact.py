"""SL005 missing-fact: a fact the Step Law checks need is absent; say what supplies it."""

from __future__ import annotations

import re
from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.recipe import Missing
from steplint.rules.base import Rule, RuleContext, RuleDocs


_FLAG = re.compile(r"--[a-z][a-z-]*")  # the first command-line flag that supplies a fact


_FLAGS: dict[str, str] = {}  # supply text (recipe.SUPPLY's few sentences) -> its first flag, or ""


def _first_flag(missing: Missing) -> str:
    flag = _FLAGS.get(missing.supply)
    if flag is None:
        found = _FLAG.search(missing.supply)
        flag = found.group(0) if found else ""
        if len(_FLAGS) < 256:  # the supply texts are a fixed table; bounded all the same
            _FLAGS[missing.supply] = flag
    return flag


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    if all(d == "unknown" for d in recipe.dialects):  # not a training config: SL003 says so
        return
    missing = recipe.missing
    if recipe.notes.not_transformer:  # no Step Law N exists to supply (SL305 says why)
        missing = tuple(m for m in missing if not m.field.startswith("n_params"))
    if not missing:
        return
    # One short finding per recipe: a partial file (a DeepSpeed JSON alone) lacks many facts
    # at once, and a long line would bury the findings that matter; `show` lists what
    # supplies each fact (recipe.SUPPLY).
    fields = ", ".join(m.field for m in missing)
    flags = ", ".join(dict.fromkeys(flag for flag in map(_first_flag, missing) if flag))
    supply = f"give {flags} or see" if flags else "see"
    yield ctx.diagnostic(f"Step Law checks skipped, facts unknown ({fields}): {supply} `steplint show` for every way")


RULE = Rule(
    code="SL005",
    name="missing-fact",
    severity=Severity.INFO,
    summary="A fact the Step Law checks need is missing; the message says what supplies it.",
    check=check,
    docs=RuleDocs(
        what=(
            "The recipe lacks a fact that the Step Law checks (SL301-SL303) and the budget rules "
            "need: the model size N, the training tokens D, the sequence length, the world size "
            "that turns a micro batch into a global batch, or the LR schedule. One short line per "
            "recipe names the missing fields; `steplint show` lists the flag, setting or config key "
            "that supplies each."
        ),
        why=(
            "steplint never guesses a number that decides a finding. Without N and D there is no "
            "Step Law optimum to compare with, so those checks stay silent; this info line says "
            "why, instead of passing the file as if it had been checked."
        ),
        evidence=("Recipe fields and their suppliers: ../shared/docs/architecture.md section 3",),
        example="# ds_config.json alone: no architecture, no token count\n{\"train_micro_batch_size_per_gpu\": 4}\n",
        fix=(
            "Pass the fact on the command line (`--world-size 64 --tokens 1T --model config.json`), "
            "in `[tool.steplint]`, or group the files that hold it with `--recipe a,b`."
        ),
    ),
)
