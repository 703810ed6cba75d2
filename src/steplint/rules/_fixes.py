"""Fixes that set numbers in a config, shared by the rules that offer them (SL101, SL103,
SL203, SL204, SL301-SL303, SL701).

The one place for edits is `steplint.documents.edits.replace_value_edit` (anchors and tags kept),
which writes the literal with `steplint.literals.format_value` (the file's number style,
YAML 1.1 float syntax). This module finds the literal a Fact came from and wraps the
edits in a verified Fix: the fixer re-reads each key and expects the new value.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from steplint.diagnostics import Applicability, Expectation, Fix
from steplint.documents.nodes import Node, ScalarNode, lookup
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


def node_fix(doc: Any, key: str, node: Node, value: Any, message: str,
             applicability: Applicability = Applicability.SAFE) -> Fix:
    """Write `value` over one scalar `node` found at `key` of `doc`."""
    from steplint.documents.edits import replace_value_edit  # off the start-up path until a fix is built

    return Fix(applicability=applicability, message=message, edits=(replace_value_edit(doc, node, value),),
               expect=(Expectation(doc.path, key, value),))


def set_values_fix(changes: Iterable[tuple[Optional[Fact], Any]], documents: Mapping[str, Any], message: str,
                   applicability: Applicability) -> Optional[Fix]:
    """One Fix writing each value over the literal behind its fact (all or nothing: None
    when any of them is not a literal in a file)."""
    from steplint.documents.edits import replace_value_edit

    edits, expect = [], []
    for fact, value in changes:
        found = literal_of(fact, documents)
        if found is None or fact is None or not fact.source.file or not fact.source.key:
            return None  # (literal_of finds a literal only for a fact read from a key in a file)
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


# Step counts that are absolute: rescaled with the run when a new batch keeps D. A field
# derived from the train steps (a warmup ratio, a decay horizon defaulting to the run)
# follows by itself; SL203/SL204 hold them to the run.
_STEP_FIELDS = ("warmup_steps", "decay_end_step")


def batch_fix(recipe: Any, documents: Mapping[str, Any], batch_changes: Iterable[tuple[Optional[Fact], Any]],
              new_batch_tokens: Optional[float], message: str) -> tuple[Optional[Fix], str]:
    """An unsafe Fix that sets the batch literals and keeps the token budget D: when the run
    length is written in steps, D = steps x batch tokens moves with the batch (and with it
    the Step Law optimum, so fixes would chase it run after run), so the train steps, and
    warmup and decay horizon written as absolute steps, are rescaled to keep D and the
    schedule's shape. Returns (fix, "") or (None, why no fix is offered)."""
    changes = [(f, v) for f, v in batch_changes if f is not None and literal_of(f, documents) is not None]
    if not changes:
        return None, ""
    run, why = _run_length_changes(recipe, documents, new_batch_tokens)
    if run is None:
        return None, why
    if run and new_batch_tokens:  # (a run to rescale always comes with the new batch)
        steps = run[0][1]
        message += f"; train for {steps:,} steps to keep D = {_tokens(steps * new_batch_tokens)} tokens"
        if len(run) > 1:
            message += " (" + ", ".join(f"{f.source.key} {v:,}" for f, v in run[1:]) + ")"
    unique = {(f.source.file, f.source.key): (f, v) for f, v in changes + run}  # one edit per literal
    return set_values_fix(unique.values(), documents, message, Applicability.UNSAFE), ""


def _run_length_changes(recipe: Any, documents: Mapping[str, Any], new_batch_tokens: Optional[float]
                        ) -> tuple[Optional[list[tuple[Fact, int]]], str]:
    """([(fact, new value)], "") for the step counts to rewrite ([] when the run length
    follows the token budget), or (None, why) when they cannot be rewritten consistently."""
    steps = recipe.get("train_steps")
    if steps is None or steps.source.kind != "key":
        return [], ""  # no run length in steps in a file (tokens, epochs, or derived from D)
    tokens = recipe.value("tokens")
    where = f"{steps.source.key} ({steps.source.file})"
    if not new_batch_tokens or not isinstance(tokens, (int, float)) or tokens <= 0:
        return None, f"no batch fix: the run length {where} is in steps and D is unknown"
    if not isinstance(steps.value, (int, float)) or steps.value <= 0 or literal_of(steps, documents) is None:
        return None, f"no batch fix: the run length {where} is not a number steplint can rewrite, so a new batch would change D"
    if isinstance(recipe.notes.decay_after_warmup, int):
        return None, "no batch fix: the schedule's stable and decay phases are counted in steps steplint does not rewrite"
    new_steps = max(1, round(tokens / new_batch_tokens))
    out = [(steps, new_steps)]
    for name in _STEP_FIELDS:
        fact = recipe.get(name)
        if fact is None or fact.source.kind != "key" or not isinstance(fact.value, (int, float)):
            continue
        if literal_of(fact, documents) is None:
            return None, f"no batch fix: {fact.source.key} is in steps but not a number steplint can rewrite"
        out.append((fact, int(round(fact.value * new_steps / steps.value))))
    return out, ""


def _tokens(value: float) -> str:
    from steplint.quantities import format_quantity

    return format_quantity(value)
