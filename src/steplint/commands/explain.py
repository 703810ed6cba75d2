"""`steplint explain CODE|NAME`: a rule's full docs (what, why, evidence, example, fix, suppress)."""

from __future__ import annotations

import json

import click


@click.command("explain", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("rule")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(rule: str, fmt: str) -> None:
    """Explain one rule, by code (SL301) or name (steplaw-recipe)."""
    from steplint.rules.docs_text import markdown, suppression_help
    from steplint.rules.registry import get_rule

    found = get_rule(rule)
    if found is None:
        raise click.UsageError(f"no rule {rule!r} (see `steplint rules`)")
    if fmt == "json":
        doc = found.to_json()
        doc["docs"]["suppress"] = suppression_help(found)
        doc["explanation"] = markdown(found)
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(markdown(found), nl=False)
