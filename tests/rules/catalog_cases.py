"""Test helpers for the catalog rules: the same config as YAML, JSON and TOML text, and
recipes whose documents carry a dialect (for glue rules that read files themselves)."""

from __future__ import annotations

import json
from typing import Any

from rule_recipes import Case, case
from steplint.dialects.glue import GLUE
from steplint.documents.load import load_document
from steplint.recipe import Recipe, default_source, fact, override_source

KINDS = ("yaml", "json", "toml")


def _literal(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        if kind == "yaml" and "e" in text and "." not in text.split("e")[0]:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"  # YAML 1.1 needs the dot
        return text
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def render(kind: str, config: dict[str, dict[str, Any]]) -> str:
    """{"section": {"key": value}} as YAML, JSON or TOML text."""
    if kind == "json":
        return json.dumps(config, indent=2) + "\n"
    lines = []
    for section, keys in config.items():
        lines.append(f"{section}:" if kind == "yaml" else f"[{section}]")
        for key, value in keys.items():
            lines.append(f"  {key}: {_literal(value, kind)}" if kind == "yaml" else f"{key} = {_literal(value, kind)}")
    return "\n".join(lines) + "\n"


def config_case(kind: str, config: dict, keys: dict[str, str], **values: Any) -> Case:
    """`keys`: recipe field -> dotted key in `config`; `values`: further facts (defaults)."""
    return case(render(kind, config), kind, keys, **values)


def with_facts(c: Case, **overrides: Any) -> Case:
    """Add facts that came from a CLI flag (e.g. world_size)."""
    facts = dict(c.recipe.facts)
    for name, value in overrides.items():
        facts[name] = fact(name, value, override_source(f"--{name.replace('_', '-')}"))
    return Case(c.recipe._replace(facts=facts), c.documents)


def files_case(files: dict[str, tuple[str, str]], notes: dict | None = None, **values: Any) -> Case:
    """Documents with the dialect the resolver would have chosen: {path: (dialect, text)}."""
    documents = {path: load_document(path, text=text) for path, (_, text) in files.items()}
    for path, doc in documents.items():
        assert doc.root is not None, (path, doc.diagnostics)
    facts = {name: fact(name, value, default_source("test")) for name, value in values.items()}
    recipe = Recipe(files=tuple(files), dialects=tuple(d for d, _ in files.values()), facts=facts,
                    file_notes=notes or {}, glue=GLUE)
    return Case(recipe, documents)
