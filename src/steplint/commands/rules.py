"""`steplint rules`: every registered rule with its code, name, severity, summary and fix."""

from __future__ import annotations

import json

import click


@click.command("rules", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("queries", nargs=-1, metavar="[CODE-PREFIX|WORD]...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(queries: tuple[str, ...], fmt: str) -> None:
    """List the rules steplint knows; `rules SL3` or `rules steplaw` lists those that match."""
    from steplint.rules.registry import all_rules, find_rules

    if queries:
        picked = {r.code for q in queries for r in find_rules(q)}
        rules = tuple(r for r in all_rules() if r.code in picked)
        if not rules:
            raise click.UsageError(f"no rule matches {' '.join(queries)!r} (`steplint rules` lists them all)")
    else:
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
