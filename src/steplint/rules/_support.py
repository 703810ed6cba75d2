"""Small helpers the catalog rules share: finding a recipe's DeepSpeed and HF-arguments
files, reading scalars with their spans, printing numbers (fixes: `rules._fixes`).

Glue rules (SL101, SL201, SL701-SL704) read the Documents themselves: what they check is
how one framework's file will be read by another framework, which a framework-free Recipe
deliberately forgets. The key names come from the dialects' glue tables on the Recipe
(`glue_of`), never from a rule module.
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Mapping, Optional

from steplint.documents.nodes import MappingNode, ScalarNode, lookup
from steplint.documents.values import unusable_number
from steplint.glue import NO_GLUE, Glue
from steplint.recipe import Recipe, Source, key_source


def dialect_of(recipe: Recipe, path: str) -> Optional[str]:
    """The dialect the resolver chose for `path` (Recipe.files and .dialects run in parallel)."""
    if len(recipe.files) == len(recipe.dialects):
        for file, dialect in zip(recipe.files, recipe.dialects):
            if file == path:
                return None if dialect == "unknown" else dialect
    return None


def _root_keys(doc: Any) -> set[str]:
    root = getattr(doc, "root", None)
    return set(root.keys()) if isinstance(root, MappingNode) else set()


def glue_of(recipe: Recipe) -> Glue:
    """The dialects' glue tables the resolver attached (empty on a hand-built Recipe)."""
    return recipe.glue or NO_GLUE


def _documents(recipe: Recipe, documents: Mapping[str, Any], dialects: frozenset[str], marker_keys: frozenset[str]
               ) -> Iterator[tuple[str, Any]]:
    for path, doc in documents.items():
        if path not in recipe.files and recipe.files:
            continue
        dialect = dialect_of(recipe, path)
        if dialect in dialects or (dialect is None and _root_keys(doc) & marker_keys):
            yield path, doc


def deepspeed_documents(recipe: Recipe, documents: Mapping[str, Any]) -> list[tuple[str, Any]]:
    keys = glue_of(recipe).deepspeed
    return list(_documents(recipe, documents, keys.dialects, keys.markers))


def hf_args_documents(recipe: Recipe, documents: Mapping[str, Any]) -> list[tuple[str, Any]]:
    keys = glue_of(recipe).hf
    return list(_documents(recipe, documents, keys.dialects, keys.markers))


def scalar(doc: Any, dotted: str) -> Optional[ScalarNode]:
    node = lookup(getattr(doc, "root", None), dotted)
    return node if isinstance(node, ScalarNode) else None


def number(node: Optional[ScalarNode]) -> Optional[float]:
    """A scalar's numeric value; YAML 1.1 exponent strings (`1e-5`) read as numbers too."""
    if node is None:
        return None
    value = node.value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):  # not NaN, inf or past 2**63 (OverflowError in float math)
        return value if unusable_number(value) is None else None
    if isinstance(value, str):
        try:
            parsed = float(value.replace("_", ""))
        except ValueError:
            return None
        if unusable_number(parsed) is not None:  # "1e400", "nan": not a number to compute with
            return None
        return int(parsed) if parsed.is_integer() and "." not in value and "e" not in value.lower() else parsed
    return None


def is_auto(node: Optional[ScalarNode]) -> bool:
    return node is not None and isinstance(node.value, str) and node.value.strip().lower() == "auto"


def node_source(path: str, dotted: str, node: Any) -> Source:
    return key_source(path, dotted, getattr(node, "span", None))


def human(value: float) -> str:
    """Numbers as a reader wants them in a message: 4,194,304 / 1.4e+12 / 3.0e-04 / 0.95."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        whole = int(value)
        return f"{whole:,}" if abs(whole) < 1e7 else _scientific(whole)
    if value == 0 or not math.isfinite(value):
        return str(value)
    if 1e-3 <= abs(value) < 1e5:
        return f"{value:.4g}"
    return _scientific(value)


def _scientific(value: float) -> str:
    if isinstance(value, int) and value.bit_length() > 1000:  # past float range: %e would overflow
        from steplint.quantities import format_quantity  # formats such an integer from its digits

        mantissa, exponent = format_quantity(value).split("e")
    else:
        mantissa, exponent = f"{value:.2e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def percent(fraction: float) -> str:
    return f"{100 * fraction:.1f}%"
