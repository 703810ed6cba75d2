"""Fixes that set numbers in a config, shared by the rules that offer them (SL101, SL103,
SL203, SL204, SL301-SL303, SL701).

The one place for edits is `steplint.fixing.replace_value_edit` (anchors and tags kept),
which writes the literal with `steplint.literals.format_value` (the file's number style,
YAML 1.1 float syntax). This module finds the literal a Fact came from and wraps the
edits in a verified Fix: the fixer re-reads each key and expects the new value.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from steplint.diagnostics import Applicability, Expectation, Fix
from steplint.documents.nodes import ScalarNode, lookup
from steplint.recipe import Fact


def literal_of(fact: Optional[Fact], documents: Mapping[str, Any]) -> Optional[tuple[Any, ScalarNode]]:
    """(document, scalar node) of the plain number a Fact was read from, or None when the
    fact is not one literal number in a file (a default, a derivation, a ratio, `auto`,
    an interpolation): there is nothing to rewrite then."""
    if fact is None or fact.source.kind != "key" or not fact.source.file or not fact.source.key:
        return None
    doc = documents.get(fact.source.file)
    node = lookup(getattr(doc, "root", None), fact.source.key)
    if not isinstance(node, ScalarNode) or isinstance(node.value, bool):
        return None
    try:
        literal = float(str(node.value).strip())
    except ValueError:
        return None
    if literal != fact.value:  # the fact was converted (a ratio, a unit): not this literal
        return None
    return doc, node


def node_fix(doc: Any, key: str, node: ScalarNode, value: Any, message: str,
             applicability: Applicability = Applicability.SAFE) -> Fix:
    """Write `value` over one scalar `node` found at `key` of `doc`."""
    from steplint.fixing import replace_value_edit  # off the start-up path until a fix is built

    return Fix(applicability=applicability, message=message, edits=(replace_value_edit(doc, node, value),),
               expect=(Expectation(doc.path, key, value),))


def set_values_fix(changes: Iterable[tuple[Optional[Fact], Any]], documents: Mapping[str, Any], message: str,
                   applicability: Applicability) -> Optional[Fix]:
    """One Fix writing each value over the literal behind its fact (all or nothing: None
    when any of them is not a literal in a file)."""
    from steplint.fixing import replace_value_edit

    edits, expect = [], []
    for fact, value in changes:
        found = literal_of(fact, documents)
        if found is None:
            return None
        doc, node = found
        edits.append(replace_value_edit(doc, node, value))
        expect.append(Expectation(fact.source.file, fact.source.key, value))
    if not edits:
        return None
    return Fix(applicability=applicability, message=message, edits=tuple(edits), expect=tuple(expect))


def set_value_fix(fact: Optional[Fact], documents: Mapping[str, Any], value: float | int, message: str,
                  applicability: Applicability) -> Optional[Fix]:
    """A Fix writing `value` over the literal behind `fact`, verified by re-reading its key."""
    return set_values_fix([(fact, value)], documents, message, applicability)
