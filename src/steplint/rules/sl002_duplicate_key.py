"""SL002 duplicate-key: reported by the loaders; this module holds its docs."""

from steplint.diagnostics import Severity
from steplint.rules.base import Rule, RuleDocs

RULE = Rule(
    code="SL002",
    name="duplicate-key",
    severity=Severity.ERROR,
    summary="The same key appears twice in one mapping (including NeoX hyphen/underscore spellings).",
    docs=RuleDocs(
        what=(
            "A mapping holds one key twice, or two spellings that the framework treats as one "
            "key (GPT-NeoX reads `train-iters` and `train_iters` as the same setting), or a TOML "
            "table is declared twice."
        ),
        why=(
            "YAML loaders keep the last value silently and JSON loaders do the same, so the "
            "value a reviewer reads first is not the value the run uses. Which one wins differs "
            "between PyYAML, OmegaConf and the JSON module; steplint reads the first and "
            "reports the second."
        ),
        evidence=(
            "YAML 1.2 requires unique keys: https://yaml.org/spec/1.2.2/#mapping",
            "pre-commit-hooks check-json rejects duplicate keys with an object_pairs_hook "
            "(https://github.com/pre-commit/pre-commit-hooks)",
        ),
        example="lr: 1e-4\nlr: 3e-4\n",
        fix="Delete one of the two keys. No automatic fix: steplint cannot know which one you meant.",
    ),
)
