"""`steplint explain CODE|NAME`: a rule's full docs (what, why, evidence, example, fix, suppress).

A query that names no single rule but part of some (`explain steplaw`, `explain SL3`)
lists the rules it matches, so the next command is obvious."""

from __future__ import annotations

import json

import click


@click.command("explain", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("rule")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(rule: str, fmt: str) -> None:
    """Explain one rule, by code (SL301) or name (steplaw-recipe)."""
    from steplint.rules.docs_text import markdown, suppression_help
    from steplint.rules.registry import find_rules, get_rule

    found = get_rule(rule)
    if found is None:
        matching = find_rules(rule)
        if not matching:
            raise click.UsageError(f"no rule {rule!r} (see `steplint rules`)")
        if fmt == "json":
            rows = [{"code": r.code, "name": r.name, "summary": r.summary} for r in matching]
            click.echo(json.dumps({"query": rule, "matches": rows}, indent=2, ensure_ascii=False))
            return
        click.echo(f"{rule!r} is not one rule; {len(matching)} match (`steplint explain CODE` for one):")
        width = max(len(r.name) for r in matching)
        for r in matching:
            click.echo(f"  {r.code}  {r.name:<{width}}  {r.summary}")
        return
    if fmt == "json":
        doc = found.to_json()
        doc["docs"]["suppress"] = suppression_help(found)
        doc["explanation"] = markdown(found)
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(markdown(found), nl=False)
