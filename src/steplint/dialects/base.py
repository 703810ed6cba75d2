"""What a dialect module provides, and what it returns.

A dialect module (one per framework) satisfies the `Dialect` protocol:

    NAME: str                      # e.g. "deepspeed", the value of `--dialect`
    DESCRIPTION: str
    def detect(doc: Document) -> float      # 0 = not this framework, 1 = certain
    def extract(doc: Document, ctx: ExtractContext) -> Extraction

and hands back facts, its typed `Notes` (recipe.Notes: what rules read beyond the facts)
and the files it references; the glue tables cross-file rules need are `dialects/glue.py`.

Only dialect modules know a framework's key names, units and defaults; everything they
return is in Recipe field names (recipe.FIELD_UNITS) with provenance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Mapping, Optional, Protocol

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import EMPTY_MAPPING, Diagnostic, Span
from steplint.documents.nodes import Document, MappingNode
from steplint.recipe import NO_NOTES, Fact, Notes

if TYPE_CHECKING:
    from steplint.arch import ArchSpec
    from steplint.settings import Settings


class Reference(NamedTuple):
    """A file this document names itself (HF `deepspeed:`, a local `model_name_or_path`,
    a NeoX include, a DeepSpeed JSON written by a launch script's heredoc)."""

    path: str  # as resolved against the referring file's folder
    role: str  # "deepspeed", "model", "include", ...
    key: str = ""
    span: Optional[Span] = None
    text: Optional[str] = None  # inline content (heredoc) instead of a file on disk


class ExtractContext(NamedTuple):
    """What a dialect may know beyond its own document (overrides from flags/settings)."""

    world_size: Optional[int] = None
    settings: Optional[Settings] = None


class Extraction(NamedTuple):
    dialect: str
    file: str
    facts: Mapping[str, Fact] = EMPTY_MAPPING
    arch: Optional[ArchSpec] = None
    references: tuple[Reference, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    notices: tuple[str, ...] = ()
    notes: Notes = NO_NOTES  # what the dialect read beyond the facts, typed (recipe.Notes)


Extractor = Callable[[Document, ExtractContext], Extraction]

# The last document's root and its string keys: the purpose test and the 14 detect functions
# each ask which top-level keys a file has. Keyed on the root's identity (nodes are immutable;
# the root is held, so its id cannot be reused), never on its content. One (root, names) pair,
# replaced whole, so a reader never pairs one root with another's names.
_NAMES: list[tuple[object, frozenset[str]]] = [(None, frozenset())]


def root_names(doc: Document) -> frozenset[str]:
    """The string keys of `doc`'s root mapping (empty when the root is no mapping), built
    once per document instead of once per detect function."""
    root = doc.root
    last_root, last_names = _NAMES[0]
    if last_root is root:
        return last_names
    names: frozenset[str] = frozenset()
    if isinstance(root, MappingNode):
        index = root._positions()  # a large mapping's key index: its keys are the key values
        if index is None:
            names = frozenset([k.value for k, _ in root.items if isinstance(k.value, str)])
        else:
            names = frozenset(index)
            if set(map(type, names)) != _STR_ONLY:  # a key of another type (or a str subclass): filter
                names = frozenset([k for k in names if isinstance(k, str)])
    _NAMES[0] = (root, names)
    return names


_STR_ONLY = {str}


class Dialect(Protocol):
    """What a dialect provides (a module satisfies it: mypy accepts modules as Protocol
    implementations, and a module costs nothing more at start-up than it does today)."""

    NAME: str
    DESCRIPTION: str

    def detect(self, doc: Document) -> float: ...

    def extract(self, doc: Document, ctx: ExtractContext) -> Extraction: ...
