"""A rule's docs as Markdown: what `steplint explain` prints, SARIF `help.markdown` carries
and docs/rules.md can be generated from (ruff's section order: what, why, example, fix)."""

from __future__ import annotations

from typing import Any

import re

from steplint.rules.base import Rule

# Where each rule's documentation lives for a user: docs/rules.md of the repository (generated
# from this registry by scripts/gen_rules_doc.py), one `## CODE name` heading per rule, which
# GitHub turns into the anchor `#code-name`. SARIF's helpUri points here (README says so).
DOCS_URL = "https://github.com/steplint/steplint/blob/main/docs/rules.md"

# An evidence line naming a file of the developers' research notes (../shared/...) points at
# a path no user has: explain and SARIF leave it out (the source keeps it for developers).
_PRIVATE_PATH = re.compile(r"(^|\s)\.\./shared/")


def rule_url(rule: Rule) -> str:
    """The rule's section of docs/rules.md (GitHub's heading anchor: lower case, spaces to -)."""
    return f"{DOCS_URL}#{rule.code.lower()}-{rule.name}"


def public_evidence(rule: Rule) -> tuple[str, ...]:
    return tuple(e for e in rule.docs.evidence if not _PRIVATE_PATH.search(e))


def suppression_help(rule: Rule) -> str:
    generic = (
        f"On the line or the line above: `# steplint: ignore[{rule.code}]` (or "
        f"`ignore[{rule.name}]`); for a whole file: `# steplint: ignore-file[{rule.code}]`; "
        f"in JSON files, which have no comments: `per-file-ignores` in `[tool.steplint]`; "
        f"everywhere: `--ignore {rule.code}`."
    )
    return f"{generic} {rule.docs.suppress}".strip()


def markdown(rule: Rule) -> str:
    d = rule.docs
    fix = {"safe": "safe fix (`--fix`)", "unsafe": "unsafe fix (`--fix --unsafe-fixes`)"}.get(rule.fix_applicability or "", "no automatic fix")
    parts = [
        f"# {rule.code} {rule.name}",
        "",
        f"{rule.summary}",
        "",
        f"Default severity: {rule.severity}; {fix}.",
        "",
        "## What it checks",
        "",
        d.what,
        "",
        "## Why it matters",
        "",
        d.why,
    ]
    evidence = public_evidence(rule)
    if evidence:
        parts += ["", "## Evidence", ""] + [f"- {e}" for e in evidence]
    if d.example:
        parts += ["", "## Example", "", "```", d.example.rstrip("\n"), "```"]
    if d.fix:
        parts += ["", "## How to fix", "", d.fix]
    parts += ["", "## How to suppress", "", suppression_help(rule), "", f"Documentation: {rule_url(rule)}"]
    return "\n".join(parts) + "\n"


def rule_table() -> tuple[Any, ...]:
    """Every registered rule as the report's RuleMeta (SARIF's rule table), in registry order."""
    from steplint.report import RuleMeta
    from steplint.rules.registry import all_rules

    return tuple(
        RuleMeta(rule.code, rule.name, rule.summary, rule.docs.what, markdown(rule), rule_url(rule),
                 rule.severity, rule.fix_applicability or "none")
        for rule in all_rules()
    )
