"""Fixes that set one number in a config, shared by SL301 (min LR), SL302 (LR), SL303 (batch).

The literal is written by `steplint.literals.format_value`, which keeps the file's number
style and YAML 1.1 float syntax; this module finds the literal a Fact came from and wraps
it in an Edit. (steplint.fixing, which applies edits, stays off the start-up path of a
plain `check`: it is imported only with --fix or --diff.)
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from steplint.diagnostics import Applicability, Edit, Expectation, Fix
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


def set_value_fix(fact: Optional[Fact], documents: Mapping[str, Any], value: float | int, message: str,
                  applicability: Applicability) -> Optional[Fix]:
    """A Fix writing `value` over the literal behind `fact`, verified by re-reading its key."""
    found = literal_of(fact, documents)
    if found is None:
        return None
    from steplint.literals import format_value

    doc, node = found
    span = node.span
    edit = Edit(
        file=fact.source.file, start=span.start.offset, end=span.end.offset,
        replacement=format_value(value, kind=doc.kind, style_of=node),
        line=span.start.line, column=span.start.column, end_line=span.end.line, end_column=span.end.column,
    )
    return Fix(
        applicability=applicability,
        message=message,
        edits=(edit,),
        expect=(Expectation(fact.source.file, fact.source.key, value),),
    )
