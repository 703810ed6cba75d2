"""SL001 parse-error: reported by the loaders (steplint.documents); this module holds its docs."""

from steplint.diagnostics import Severity
from steplint.rules.base import Rule, RuleDocs

RULE = Rule(
    code="SL001",
    name="parse-error",
    severity=Severity.ERROR,
    summary="The file cannot be parsed, exceeds a safety cap, or uses an object-constructing tag.",
    docs=RuleDocs(
        what=(
            "The file is not valid YAML, JSON, TOML or shell, is not UTF-8, is larger than the "
            "size cap (10 MiB by default, `max-file-size`), expands aliases or nests deeper than "
            "the caps allow, or carries a tag that would construct a Python object "
            "(`!!python/object/apply:...`)."
        ),
        why=(
            "The training framework would fail on this file at start-up, after the job has "
            "waited in the queue, or (with an unsafe loader) run code from it. steplint reads "
            "files with safe loaders only and never guesses the content of a broken file, so "
            "no other rule can check it."
        ),
        evidence=(
            "PyYAML loaders and alias expansion: ../shared/docs/ux-and-style.md section 11",
            "Billion-laughs alias bombs: https://en.wikipedia.org/wiki/Billion_laughs_attack",
        ),
        example="model:\n  hidden_size: 4096\n  lr: [1e-4,\n",
        fix="Repair the syntax at the reported line and column. There is no automatic fix.",
        suppress=(
            "A file that does not parse carries no readable comments, so inline suppression "
            "cannot reach it; use per-file-ignores or exclude the file."
        ),
    ),
)
