"""SL008 unused-suppression: reported by the engine (steplint.suppression); docs here."""

from steplint.diagnostics import Severity
from steplint.rules.base import Rule, RuleDocs

RULE = Rule(
    code="SL008",
    name="unused-suppression",
    severity=Severity.WARNING,
    summary="A `steplint: ignore[...]` comment suppressed nothing, or names an unknown rule.",
    fix_applicability="safe",
    docs=RuleDocs(
        what=(
            "An inline `# steplint: ignore[CODE]` or `# steplint: ignore-file[CODE]` comment "
            "names a rule that reported nothing on the lines it covers, or names a code or rule "
            "name that does not exist."
        ),
        why=(
            "Suppressions outlive the problems they silenced. A stale one hides the next real "
            "finding on that line, and a misspelt code silences nothing while looking like it "
            "does. ruff's RUF100 (unused-noqa) has the same purpose."
        ),
        evidence=("ruff RUF100 unused-noqa: https://docs.astral.sh/ruff/rules/unused-noqa/",),
        example="lr: 1.0e-5  # steplint: ignore[SL302]   (SL302 reports nothing here)\n",
        fix=(
            "Delete the comment, or correct the code in it. `--fix` removes the unused code from "
            "the brackets, or the whole comment when it held nothing else (a comment with other "
            "words in it is left for you to edit), and checks that the file reads the same after."
        ),
        suppress="SL008 itself can only be turned off by selection (`--ignore SL008`), not inline.",
    ),
)
