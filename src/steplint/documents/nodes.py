"""The loader's output: a tree of values where every key and scalar keeps its span.

Dialects read values from here; rules blame spans from here; the fixer splices text at
these spans. One shape for YAML, JSON, TOML and shell launch scripts.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, Sequence, Union

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import Diagnostic, Mark, Span


# A scalar keeps its span as six ints in one flat tuple (value, text, style, tag, then the
# start's line, column, offset and the end's): a config has hundreds of scalars, and a Span
# of two Marks per scalar was three more tuples to build and to free, for a position that
# is read only where a finding or a fix points at it. `span` rebuilds it on access.
_POSITION_FIELDS = ("start_line", "start_column", "start_offset", "end_line", "end_column", "end_offset")
_FIELDS = ("value", "text", "span", "style", "tag")  # the public fields, in constructor order

if TYPE_CHECKING:  # types only
    _Tuple = tuple[Any, ...]
else:  # the stored fields with collections.namedtuple's C-level getters (its public API)
    _Tuple = collections.namedtuple("_ScalarStorage", ("value", "text", "style", "tag", *_POSITION_FIELDS))

_new = tuple.__new__


class ScalarNode(_Tuple):
    """A leaf. `value` is what the format's own loader yields (PyYAML's YAML 1.1 for YAML:
    `1e-4` stays a str there); `text` is the exact source text of the value, quotes included,
    so a dialect with other resolution rules (OmegaConf, NeoX) can re-read it and the fixer
    can keep its style.

    Built as `ScalarNode(value, text, span, style=None, tag=None)`; equal, hashed, copied,
    pickled and `_replace`d by those five fields, which is what a NamedTuple of them did.
    Only the storage is flat (see `_POSITION_FIELDS`); index 0 is the value, 1 the text."""

    __slots__ = ()
    value: Any
    text: str
    style: Optional[str]  # None plain, "'" or '"' quoted, "|" / ">" block
    tag: Optional[str]
    start_line: int
    start_column: int
    start_offset: int
    end_line: int
    end_column: int
    end_offset: int

    _fields = _FIELDS
    _field_defaults = {"style": None, "tag": None}
    __match_args__ = _FIELDS

    def __new__(cls, value: Any, text: str, span: Span, style: Optional[str] = None,
                tag: Optional[str] = None) -> ScalarNode:
        start, end = span
        made: ScalarNode = _new(cls, (value, text, style, tag, start[0], start[1], start[2], end[0], end[1], end[2]))
        return made

    @property
    def span(self) -> Span:
        made: Span = _new(Span, (_new(Mark, self[4:7]), _new(Mark, self[7:10])))
        return made

    @classmethod
    def _make(cls, iterable: Iterable[Any]) -> ScalarNode:
        return cls(*iterable)

    def _replace(self, **changes: Any) -> ScalarNode:
        fields = self._asdict()
        unknown = changes.keys() - fields.keys()
        if unknown:
            raise ValueError(f"Got unexpected field names: {sorted(unknown)!r}")
        fields.update(changes)
        return ScalarNode(**fields)

    def _asdict(self) -> dict[str, Any]:
        return {"value": self[0], "text": self[1], "span": self.span, "style": self[2], "tag": self[3]}

    def __getnewargs__(self) -> tuple[Any, ...]:  # copy and pickle rebuild through __new__
        return (self[0], self[1], self.span, self[2], self[3])

    def __repr__(self) -> str:
        return (f"ScalarNode(value={self[0]!r}, text={self[1]!r}, span={self.span!r}, style={self[2]!r}, "
                f"tag={self[3]!r})")


class _Collection:
    """The shape of the two container nodes: `items`, `span`, `flow` (written inline,
    `[a, b]` / `{a: 1}`) and `tag` (an application's own YAML tag such as HyperPyYAML's
    `!new:torch.optim.Adam`, kept as a note; None for plain data). Immutable values like
    the NamedTuple ones, but plain classes, because iterating and sizing a container node
    mean its items, not its fields."""

    __slots__ = ("items", "span", "flow", "tag", "_index")
    items: tuple[Any, ...]
    span: Span
    flow: bool
    tag: Optional[str]
    _index: Union[dict[Any, int], bool, None]

    def __init__(self, items: tuple[Any, ...], span: Span, flow: bool = False, tag: Optional[str] = None,
                 index: Optional[dict[Any, int]] = None):
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "span", span)
        object.__setattr__(self, "flow", flow)
        object.__setattr__(self, "tag", tag)
        object.__setattr__(self, "_index", index)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Collection)
        return (self.items, self.span, self.flow, self.tag) == (other.items, other.span, other.flow, other.tag)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.items, self.span, self.flow, self.tag))

    def __repr__(self) -> str:
        tag = f", tag={self.tag!r}" if self.tag is not None else ""
        return f"{type(self).__name__}(items={self.items!r}, span={self.span!r}, flow={self.flow!r}{tag})"

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # copy, deepcopy and pickle rebuild through __init__ (setattr refuses); the key
        # index is rebuilt on first use
        return type(self), (self.items, self.span, self.flow, self.tag)


class SequenceNode(_Collection):
    """An ordered list of nodes."""

    __slots__ = ()
    items: tuple["Node", ...]

    def __iter__(self) -> Iterator["Node"]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class MappingNode(_Collection):
    """Ordered (key, value) pairs. Duplicate keys are reported by the loader (SL002) and
    both pairs are kept here, so `get` returns the first and `all` returns every one.

    Dialects look dozens of keys up in a config's mappings of hundreds, so lookups there go
    through an index (key value -> position of its first pair). The YAML loader hands over
    the one its duplicate detection builds; other mappings build it on first lookup."""

    __slots__ = ()
    items: tuple[tuple[ScalarNode, "Node"], ...]

    # Past a few items, lookups go through the index; a small mapping keeps none (a linear
    # scan is as fast there, and a file of thousands of small mappings stays small).
    INDEXED_FROM = 12

    def _positions(self) -> Optional[dict[Any, int]]:
        index = self._index
        if index is None and len(self.items) < self.INDEXED_FROM:
            index = False
            object.__setattr__(self, "_index", index)
        if index is None:
            index = {}
            setdefault = index.setdefault
            try:
                for i, pair in enumerate(self.items):
                    setdefault(pair[0][0], i)
            except TypeError:  # an unhashable key value: keep the linear scan
                index = False
            object.__setattr__(self, "_index", index)
        return index or None  # type: ignore[return-value]  # True never occurs

    def get(self, key: Any) -> Optional["Node"]:
        index = self._index
        if index is None:
            index = self._positions()
        if index:
            try:
                found = index.get(key)  # type: ignore[union-attr]  # a dict here
            except TypeError:  # an unhashable key asked for
                found = None
            if found is not None:
                return self.items[found][1]
            if type(key) in (str, int):  # equal keys of other types (1 == 1.0 == True) hash alike
                return None
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def get_pair(self, key: Any) -> Optional[tuple[ScalarNode, "Node"]]:
        index = self._positions()
        if index is not None and type(key) is str:
            found = index.get(key)
            return self.items[found] if found is not None else None
        for k, v in self.items:
            if k.value == key:
                return k, v
        return None

    def all(self, key: Any) -> list["Node"]:
        index = self._positions()
        if index is not None and type(key) is str:
            found = index.get(key)
            if found is None:
                return []
            if len(index) == len(self.items):  # no repeated key: one pair per key
                return [self.items[found][1]]
            return [v for k, v in self.items[found:] if k.value == key]
        return [v for k, v in self.items if k.value == key]

    def keys(self) -> list[Any]:
        return [k.value for k, _ in self.items]

    def __contains__(self, key: object) -> bool:
        index = self._positions()
        if index is not None and type(key) is str:
            return key in index
        return any(k.value == key for k, _ in self.items)

    def __iter__(self) -> Iterator[tuple[ScalarNode, "Node"]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


Node = Union[ScalarNode, SequenceNode, MappingNode]


class Comment(NamedTuple):
    """A `#` comment with its position (suppressions are read from these)."""

    text: str  # without the leading '#'
    line: int
    column: int
    own_line: bool  # nothing but whitespace before it on its line


class Document(NamedTuple):
    """One file as read. `text` is the decoded text without BOM; offsets in spans index it."""

    path: str
    text: str
    kind: str  # "yaml" | "json" | "toml" | "shell"
    root: Optional[Node]
    bom: bool = False
    newline: str = "\n"
    comments: Sequence[Comment] = ()  # a tuple, or YAML's comments found on first use (comments.FoundComments)
    diagnostics: tuple[Diagnostic, ...] = ()  # loader findings (SL001, SL002, SL004)

    @property
    def ok(self) -> bool:
        """True when the file parsed (it may still carry non-fatal findings)."""
        return self.root is not None or not any(d.code == "SL001" for d in self.diagnostics)


def to_python(node: Optional[Node]) -> Any:
    """Plain Python value of a node tree (first of duplicate keys wins, as `get` does)."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [to_python(n) for n in node.items]
    out: dict[Any, Any] = {}
    for k, v in node.items:
        if k.value not in out:
            out[k.value] = to_python(v)
    return out


def walk(node: Optional[Node], path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Node]]:
    """Every (key path, node) below `node`, depth first; list indexes are ints in the path."""
    if node is None:
        return
    yield path, node
    if isinstance(node, MappingNode):
        for k, v in node.items:
            yield from walk(v, path + (k.value,))
    elif isinstance(node, SequenceNode):
        for i, v in enumerate(node.items):
            yield from walk(v, path + (i,))


def lookup(root: Optional[Node], path: Union[str, Sequence[Any]], *, last_duplicate: bool = False
           ) -> Optional[Node]:
    """The node at a key path: dotted (`model.optim.lr`, digits index lists) or a tuple of
    keys and list indexes. `last_duplicate` takes the last of repeated keys, as PyYAML and
    json.loads do when building a dict (the default takes the first, as `get` does)."""
    # Dialects look up tens of thousands of keys per thousand files: one loop with the
    # mapping's key index read in place (exact types: no subclass of the node classes exists)
    parts = path.split(".") if isinstance(path, str) else path
    node = root
    for part in parts:
        kind = type(node)
        if kind is MappingNode:
            mapping: MappingNode = node  # type: ignore[assignment]  # narrowed by the exact type test above
            index = mapping._index
            if index is None:
                index = mapping._positions()
            if index and type(part) is str and (not last_duplicate or len(index) == len(mapping.items)):  # type: ignore[arg-type]  # a dict here (True never occurs)
                found = index.get(part)  # type: ignore[union-attr]  # a dict here
                if found is None:
                    return None
                node = mapping.items[found][1]
                continue
            if last_duplicate:  # the last pair with this key, as `all(part)[-1]`
                for key, value in reversed(mapping.items):
                    if key.value == part:
                        node = value
                        break
                else:
                    return None
            elif index:  # an index, and a key of another type: `get` compares equal keys of other types
                node = mapping.get(part)
            else:  # a small mapping (no index): the first pair with this key, as `get` scans
                for key, value in mapping.items:
                    if key.value == part:
                        node = value
                        break
                else:
                    return None
        elif kind is SequenceNode:
            items: tuple[Node, ...] = node.items  # type: ignore[union-attr,assignment]  # narrowed by the exact type test
            if not (str(part).isdigit() and int(part) < len(items)):
                return None
            node = items[int(part)]
        else:
            return None
        if node is None:
            return None
    return node
