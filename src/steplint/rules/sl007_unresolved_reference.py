"""SL007 unresolved-reference: reported by dialects and the resolver; docs here."""

from steplint.diagnostics import Severity
from steplint.rules.base import Rule, RuleDocs

RULE = Rule(
    code="SL007",
    name="unresolved-reference",
    severity=Severity.WARNING,
    summary="A shell variable, ${...} interpolation or referenced file cannot be resolved.",
    docs=RuleDocs(
        what=(
            "A value refers to something steplint cannot see statically: a shell variable set "
            "outside the script, an OmegaConf `${...}` interpolation whose target is absent or "
            "is a resolver call, or a file (a DeepSpeed config, a model config.json, an include) "
            "that does not exist relative to the referring file."
        ),
        why=(
            "steplint never runs code, reads the environment or expands shells, so any fact "
            "behind an unresolved reference is unknown, and the checks that need it are skipped. "
            "A missing referenced file usually also fails the run itself."
        ),
        evidence=("Safety model: ../shared/docs/architecture.md section 8",),
        example="optim:\n  lr: ${oc.env:LR}\n",
        fix=(
            "Write the value in the file, pass the missing fact with a flag (`--world-size`, "
            "`--tokens`, `--model`), or fix the path of the referenced file."
        ),
    ),
)
