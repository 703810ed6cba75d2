"""A rule's docs as Markdown: what `steplint explain` prints, SARIF `help.markdown` carries
and docs/rules.md can be generated from (ruff's section order: what, why, example, fix)."""

from __future__ import annotations

from steplint.rules.base import Rule


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
    if d.evidence:
        parts += ["", "## Evidence", ""] + [f"- {e}" for e in d.evidence]
    if d.example:
        parts += ["", "## Example", "", "```", d.example.rstrip("\n"), "```"]
    if d.fix:
        parts += ["", "## How to fix", "", d.fix]
    parts += ["", "## How to suppress", "", suppression_help(rule)]
    return "\n".join(parts) + "\n"
