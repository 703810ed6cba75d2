"""SL004 bad-value: reported by loaders and dialects; this module holds its docs."""

from steplint.diagnostics import Severity
from steplint.rules.base import Rule, RuleDocs

RULE = Rule(
    code="SL004",
    name="bad-value",
    severity=Severity.ERROR,
    summary="A value has the wrong type, is non-finite or non-positive, or the framework would read a number as a string.",
    docs=RuleDocs(
        what=(
            "A setting holds a value its framework cannot use: a string where a number belongs, "
            "NaN or Infinity, a zero or negative LR or batch, or a number written so that the "
            "framework's own YAML loader reads it as a string (`lr: 1e-4` is the string '1e-4' "
            "under PyYAML's YAML 1.1 rules, which Megatron-LM and GPT-NeoX use; OmegaConf in "
            "NeMo reads it as a float)."
        ),
        why=(
            "Such values crash the run at start-up, or worse, pass through as strings and fail "
            "later in a comparison or multiplication deep in the trainer."
        ),
        evidence=(
            "YAML 1.1 float syntax needs a dot: https://yaml.org/type/float.html",
            "PyYAML vs OmegaConf number resolution: ../shared/docs/ux-and-style.md section 11.3",
        ),
        example="lr: 1e-4        # a str under PyYAML; write 1.0e-4\nmicro_batch_size: 0\n",
        fix="Write the number so the framework reads it as intended (`1.0e-4`), or a positive value.",
    ),
)
