"""Build a Recipe straight from one document's keys, so rule tests exercise real spans
without depending on a dialect: `case(text, kind, {"peak_lr": "optim.lr"}, tokens=1e11)`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from steplint.documents.load import load_document
from steplint.documents.nodes import ScalarNode, lookup
from steplint.recipe import Recipe, default_source, fact, key_source
from steplint.rules.base import Rule, RuleContext

SUFFIX = {"yaml": "yaml", "json": "json", "toml": "toml"}


@dataclass
class Case:
    recipe: Recipe
    documents: dict

    def run(self, rule: Rule) -> list:
        return list(rule.check(RuleContext(recipe=self.recipe, documents=self.documents, rule=rule)))


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    return value


def case(text: str, kind: str, keys: dict[str, str], **values: Any) -> Case:
    path = f"cfg.{SUFFIX[kind]}"
    doc = load_document(path, text=text, kind=kind)
    assert doc.root is not None, doc.diagnostics
    facts = {}
    for field_name, dotted in keys.items():
        node = lookup(doc.root, dotted)
        assert isinstance(node, ScalarNode), f"{dotted} not found in the {kind} text"
        facts[field_name] = fact(field_name, _number(node.value), key_source(path, dotted, node.span))
    for field_name, value in values.items():
        facts[field_name] = fact(field_name, value, default_source("test"))
    recipe = Recipe(files=(path,), dialects=("test",), facts=facts)
    return Case(recipe, {path: doc})


def where(diagnostic) -> tuple:
    return diagnostic.code, diagnostic.line, diagnostic.column
