"""`steplint rules`: every registered rule with its code, name, severity, summary and fix."""

from __future__ import annotations

import json

import click


@click.command("rules", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(fmt: str) -> None:
    """List every rule steplint knows."""
    from steplint.rules.registry import all_rules

    rules = all_rules()
    if fmt == "json":
        rows = [
            {"code": r.code, "name": r.name, "severity": str(r.severity), "summary": r.summary, "fix": r.fix_applicability}
            for r in rules
        ]
        click.echo(json.dumps({"rules": rows}, indent=2, ensure_ascii=False))
        return
    width = max(len(r.name) for r in rules)
    for r in rules:
        fix = {"safe": "fix", "unsafe": "unsafe fix"}.get(r.fix_applicability or "", "")
        click.echo(f"{r.code}  {r.name:<{width}}  {str(r.severity):<7}  {fix:<10}  {r.summary}")
