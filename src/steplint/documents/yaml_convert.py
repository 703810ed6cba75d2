"""PyYAML's composed node graph to `nodes.py` nodes, in one pass (split out of
`yaml_loader.py`, which composes; this converts).

Values are resolved the way PyYAML's SafeLoader resolves them; no tag can build an object:
non-standard tags in YAML's own namespace are refused, an application's own tags are kept
opaque. Anchors are shared, not copied: a reused collection is converted once and the nodes
that aliases add are counted against a cap, so an alias bomb costs as much as its text.
Duplicate keys are reported (PyYAML silently keeps the last), merge keys (`<<`) are applied
as the YAML merge spec says, and where PyYAML versions read them differently (repeated `<<`,
merged mappings that disagree) SL002 says so.

The pass is the part of a YAML check that grows with the file (a config has hundreds of
scalars), so its loops are written for CPython's costs: scalars are converted inline where
they are met (no dispatch call per node), NamedTuples are built with `tuple.__new__`
(their generated `__new__` is a Python-level call), and each mapping's key index, which
duplicate detection builds anyway, is handed to the `MappingNode` so dialects' lookups
never build it again.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Optional, cast

import yaml
from yaml.constructor import SafeConstructor

from steplint.diagnostics import Diagnostic, Location, Mark, Span
from steplint.documents.findings import LoadProblem, excerpt, loader_diagnostic
from steplint.documents.nodes import MappingNode, Node, ScalarNode, SequenceNode
from steplint.documents.values import MAX_INT_BITS

MAX_DEPTH = 200  # nesting levels; real configs stay under 10
MAX_ALIAS_NODES = 100_000  # nodes that aliases may add on top of the text's own

_TAG = "tag:yaml.org,2002:"
STR_TAG = _TAG + "str"
MERGE_TAG = _TAG + "merge"
# Tags YAML 1.1 defines for data (yaml.org/type); SafeLoader constructs exactly these.
COLLECTION_TAGS = frozenset(_TAG + t for t in ("map", "seq", "omap", "pairs", "set"))

_constructor = SafeConstructor()

if TYPE_CHECKING:  # types only: nothing of this is built at start-up
    from typing import Protocol, Union

    YCollection = Union[yaml.MappingNode, yaml.SequenceNode]
    Pairs = tuple[tuple[ScalarNode, Node], ...]
    Scalar = Union[str, int, float, bool, None, object]

    class YamlMark(Protocol):
        """PyYAML's marks (`yaml.error.Mark`, and libyaml's `yaml._yaml.Mark`): 0-based."""

        @property
        def line(self) -> int: ...
        @property
        def column(self) -> int: ...
        @property
        def index(self) -> int: ...

# `1:30:00` is an int in YAML 1.1 (base 60); hundreds of parts are an attack, not a time
_MAX_BASE60_PARTS = 12

YScalar = yaml.ScalarNode
YMapping = yaml.MappingNode
YSequence = yaml.SequenceNode


def _read_float(node: yaml.ScalarNode) -> float:
    """construct_yaml_float, without its detours for the common `3.0e-4` / `0.1` forms."""
    text: str = node.value
    if "_" not in text and ":" not in text:
        try:
            return float(text)
        except ValueError:  # .inf, .nan
            pass
    return _constructor.construct_yaml_float(node)


def _read_int(node: yaml.ScalarNode) -> int:
    """construct_yaml_int, without its detours for plain decimals (`010` is octal there)."""
    text: str = node.value
    if text.isdigit() and (text[0] != "0" or text == "0"):
        return int(text)
    if text.count(":") > _MAX_BASE60_PARTS:  # 60**n grows quadratically slower to compute
        raise ValueError("too many base-60 parts")
    value: int = _constructor.construct_yaml_int(node)
    if value.bit_length() > MAX_INT_BITS:
        raise ValueError("too large to print")
    return value


def _read_bool(node: yaml.ScalarNode) -> bool:
    return SafeConstructor.bool_values[node.value.lower()]


def _read_null(node: yaml.ScalarNode) -> None:
    return None


def _read_timestamp(node: yaml.ScalarNode) -> Scalar:
    """An explicit `!!timestamp`: PyYAML's constructor assumes its text matches the timestamp
    pattern (the implicit resolver checked that) and fails on `None.groupdict()` when it does not."""
    if _constructor.timestamp_regexp.match(node.value) is None:
        raise ValueError("not a YAML timestamp")
    value: Scalar = _constructor.construct_yaml_timestamp(node)
    return value


def _text_of(node: yaml.ScalarNode) -> str:
    """An opaquely tagged scalar (`!include base.yaml`, `!ref <lr>`), or `=` (!!value,
    which flatten_mapping reads as a string key): its text, unread."""
    text: str = node.value
    return text


# tag -> how SafeLoader turns the scalar's text into a value (str needs no call)
_SCALAR_READERS: dict[str, Callable[[yaml.ScalarNode], Scalar]] = {
    _TAG + "int": _read_int,
    _TAG + "float": _read_float,
    _TAG + "bool": _read_bool,
    _TAG + "null": _read_null,
    _TAG + "timestamp": _read_timestamp,
    _TAG + "binary": _constructor.construct_yaml_binary,
    _TAG + "value": _text_of,
}

_new = tuple.__new__


def scalar_reader(tag: str) -> Optional[Callable[[yaml.ScalarNode], Scalar]]:
    """How the converter reads a scalar of an explicit or resolved non-str `tag`, or None
    where it refuses the tag (for `yaml_events.py`, which builds without composing)."""
    reader = _SCALAR_READERS.get(tag)
    if reader is None and is_opaque(tag):
        reader = _text_of
    return reader


def mark_of(m: YamlMark) -> Mark:
    return Mark(m.line + 1, m.column + 1, m.index)


def span_of(node: yaml.Node) -> Span:
    return Span(mark_of(node.start_mark), mark_of(node.end_mark))


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def is_opaque(tag: str) -> bool:
    """A tag steplint reads as an opaque value: an application's own (`!include`, `!ref`,
    HyperPyYAML's `!new:torch.optim.Adam`, any `!local` or foreign-domain tag). Those keep
    their node (scalar text, or the mapping/sequence), the tag noted on it; the file is
    read on. Tags in YAML's own namespace that are not data (`!!python/object/apply:...`)
    construct objects and stay refused (SL001), as yaml.safe_load refuses them."""
    return not tag.startswith(_TAG) and not tag.startswith("tag:yaml.org,")


class Converter:
    """One pass over a composed node graph; collects findings and string spans."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.done: dict[int, tuple[Node, int]] = {}  # id(composed) -> (node, expanded size)
        self.open: set[int] = set()  # collections being converted (a cycle re-enters one)
        self.alias_nodes = 0
        self.strings: list[tuple[int, int]] = []  # where `#` is text, not a comment
        self.diagnostics: list[Diagnostic] = []

    def convert(self, node: yaml.Node, depth: int) -> tuple[Node, int]:
        """The node and how many nodes it expands to. Scalars are converted where they are
        met (an alias to one adds one node, as its text does); collections once."""
        if type(node) is YScalar:
            return self.scalar(node), 1
        assert isinstance(node, (YMapping, YSequence))
        return self.collection(node, depth)

    def collection(self, node: YCollection, depth: int) -> tuple[Node, int]:
        key = id(node)
        hit = self.done.get(key)
        if hit is not None:
            self.alias_nodes += hit[1]
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise LoadProblem(
                    "SL001",
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes (alias expansion cap); "
                    "the anchor here is reused too often",
                    span_of(node),
                )
            return hit
        if key in self.open:
            raise LoadProblem("SL001", "an alias refers to a node that contains it (a cycle)", span_of(node))
        if depth >= MAX_DEPTH:  # the root is level 1
            raise LoadProblem("SL001", f"nesting is deeper than {MAX_DEPTH} levels (nesting depth cap)", span_of(node))
        tag: str = node.tag
        if tag not in COLLECTION_TAGS and not is_opaque(tag):
            self.refuse(node)
        self.open.add(key)
        result: tuple[Node, int]
        if type(node) is YMapping:
            result = self.mapping(node, depth, None if tag in COLLECTION_TAGS else tag)
        else:
            result = self.sequence(cast(yaml.SequenceNode, node), depth, None if tag in COLLECTION_TAGS else tag)
        self.open.discard(key)
        self.done[key] = result
        return result

    def refuse(self, node: yaml.Node) -> None:
        raise LoadProblem(
            "SL001",
            f"refusing the tag {excerpt(_short_tag(node.tag))}: steplint reads plain data only "
            "(yaml.safe_load refuses it too)",
            span_of(node),
        )

    def scalar(self, node: yaml.ScalarNode) -> ScalarNode:
        tag: str = node.tag
        start, end = node.start_mark, node.end_mark
        first: int = start.index
        last: int = end.index
        style: Optional[str] = node.style or None  # libyaml says "" for plain
        value: Scalar
        if tag == STR_TAG:
            value = node.value
        else:
            reader = _SCALAR_READERS.get(tag)
            if reader is None:
                if not is_opaque(tag):
                    self.refuse(node)
                reader = _text_of
            try:
                value = reader(node)
            except (ValueError, KeyError, TypeError, IndexError, OverflowError, yaml.YAMLError):
                raise LoadProblem(
                    "SL001", f"{excerpt(node.value)!r} cannot be read as {_short_tag(tag)}", span_of(node)
                ) from None
        if style is not None:
            skip_from = first
            if style in "|>":  # the indicator line may carry a real comment
                skip_from = self.text.find("\n", skip_from) + 1 or last
            self.strings.append((skip_from, last))
        # tuple.__new__ straight, flat (nodes.py): the node's own __new__ is a Python-level
        # call, and a config has thousands of scalars
        made: ScalarNode = _new(ScalarNode, (
            value, self.text[first:last], style, tag,
            start.line + 1, start.column + 1, first, end.line + 1, end.column + 1, last,
        ))
        return made

    def sequence(self, node: yaml.SequenceNode, depth: int, tag: Optional[str]) -> tuple[SequenceNode, int]:
        items: list[Node] = []
        append = items.append
        scalar, collection = self.scalar, self.collection
        size = 1
        depth += 1
        for item in node.value:
            if type(item) is YScalar:
                append(scalar(item))
                size += 1
            else:
                child, n = collection(item, depth)
                append(child)
                size += n
        return SequenceNode(tuple(items), span_of(node), node.flow_style is True, tag), size

    def mapping(self, node: yaml.MappingNode, depth: int, tag: Optional[str]) -> tuple[MappingNode, int]:
        pairs: list[tuple[ScalarNode, Node]] = []
        append = pairs.append
        index: dict[object, int] = {}  # key value -> position of its first pair
        merges: list[tuple[yaml.Node, list[Pairs]]] = []  # (`<<` key, the mappings it brings)
        scalar, collection = self.scalar, self.collection
        size = 1
        depth += 1
        value: Node
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.append((key_node, self.merge_sources(value_node, depth)))
                continue
            if type(key_node) is not YScalar:
                raise LoadProblem(
                    "SL001", "a mapping key must be a plain value, not a list or mapping", span_of(key_node)
                )
            key = scalar(key_node)
            if type(value_node) is YScalar:
                value = scalar(value_node)
                size += 2
            else:
                value, n = collection(value_node, depth)
                size += n + 1
            at = len(pairs)
            first = index.setdefault(key[0], at)  # scalar values are hashable
            if first != at:
                self.duplicate(key, pairs[first][0])
            append((key, value))
        if merges:
            inherited = self.merged(merges, index)
            size += 2 * len(inherited)
            return MappingNode(tuple(inherited + pairs), span_of(node), node.flow_style is True, tag), size
        handed = index if len(pairs) >= MappingNode.INDEXED_FROM else None
        return MappingNode(tuple(pairs), span_of(node), node.flow_style is True, tag, handed), size

    def merge_sources(self, value_node: yaml.Node, depth: int) -> list[Pairs]:
        """The mappings a `<<` brings (one, or a list of them), each as its pairs."""
        if isinstance(value_node, yaml.MappingNode):
            return [self.merged_pairs(value_node, depth)]
        if isinstance(value_node, yaml.SequenceNode):
            out: list[Pairs] = []
            for item in value_node.value:
                if not isinstance(item, yaml.MappingNode):
                    raise LoadProblem("SL001", "a merge key (<<) takes mappings only", span_of(item))
                out.append(self.merged_pairs(item, depth))
            return out
        raise LoadProblem("SL001", "a merge key (<<) takes a mapping or a list of mappings", span_of(value_node))

    def merged_pairs(self, node: yaml.MappingNode, depth: int) -> Pairs:
        converted, _ = self.collection(node, depth)
        assert isinstance(converted, MappingNode)  # a composed mapping converts to one
        return converted.items

    def merged(self, merges: list[tuple[yaml.Node, list[Pairs]]], explicit: dict[object, int]
               ) -> list[tuple[ScalarNode, Node]]:
        """The pairs merge keys add, read as the YAML merge spec and PyYAML up to 6.0.3 read
        `<<: [*a, *b]`: the first mapping to give a key wins, explicit keys win over all;
        repeated `<<` keys count as one list in written order. PyYAML 6.0.4 gives a key two
        merged mappings share the value of the last one (yaml/pyyaml#953), and which `<<`
        wins when there are several differs between versions too: such files get SL002
        instead of a guess."""
        winners: dict[object, tuple[ScalarNode, Node]] = {}  # key value -> the pair that gives it
        clashes: dict[object, tuple[tuple[ScalarNode, Node], tuple[ScalarNode, Node]]] = {}
        for _, sources in merges:
            for source in sources:
                for pair in source:
                    name = pair[0].value
                    if name in explicit:
                        continue
                    won = winners.setdefault(name, pair)
                    if won is not pair and name not in clashes and not _same_node(won[1], pair[1]):
                        clashes[name] = (won, pair)
        first = merges[0][0]
        if len(merges) > 1:
            aliases = ", ".join(self.merge_text(key) for key, _ in merges)
            for key, _ in merges[1:]:
                self.merge_problem(
                    key,
                    f"duplicate merge key '<<' (first on line {first.start_mark.line + 1}): PyYAML versions "
                    f"disagree on which one wins (yaml/pyyaml#953); write one `<<: [{aliases}]`"
                    + _clash_advice(clashes),
                    mark_of(first.start_mark),
                    "first merge key",
                )
        elif clashes:
            won, later = next(iter(clashes.values()))
            more = f" and {len(clashes) - 1} more key{'s' * (len(clashes) > 2)}" if len(clashes) > 1 else ""
            self.merge_problem(
                first,
                f"the merged mappings disagree on {excerpt(won[0].text)!r} (lines {won[1].span.start.line} "
                f"and {later[1].span.start.line}){more}: PyYAML 6.0.3 takes the first, 6.0.4 mostly the last "
                "(yaml/pyyaml#953); set the value in this mapping itself",
                later[1].span.start,
                "the later value",
            )
        return list(winners.values())

    def merge_text(self, key_node: yaml.Node) -> str:
        """What follows a `<<:` when it is one alias (`*base`), else a placeholder."""
        found = _MERGE_VALUE.match(self.text, key_node.end_mark.index)
        return excerpt(found.group(1)) if found else "*..."

    def merge_problem(self, key_node: yaml.Node, message: str, other: Mark, note: str) -> None:
        """SL002 at a `<<` key, pointing also at the other place involved."""
        self.diagnostics.append(
            loader_diagnostic(self.path, "SL002", message, span_of(key_node),
                              related=(Location(self.path, other.line, other.column, note),))
        )

    def duplicate(self, key: ScalarNode, first: ScalarNode) -> None:
        self.diagnostics.append(duplicate_finding(self.path, key, first))


def duplicate_finding(path: str, key: ScalarNode, first: ScalarNode) -> Diagnostic:
    """SL002 for a key written twice in one mapping."""
    start = first.span.start
    return loader_diagnostic(
        path,
        "SL002",
        f"duplicate key {excerpt(key.text)!r} (first on line {start.line}): PyYAML silently keeps "
        "the last value, OmegaConf refuses the file",
        key,
        related=(Location(path, start.line, start.column, "first defined here"),),
    )


def _same_node(a: Node, b: Node) -> bool:
    """Whether two merged values are certainly equal (same scalar value, or one shared node)."""
    if isinstance(a, ScalarNode) and isinstance(b, ScalarNode):
        return type(a.value) is type(b.value) and bool(a.value == b.value)
    return a is b


def _clash_advice(clashes: dict[object, tuple[tuple[ScalarNode, Node], tuple[ScalarNode, Node]]]) -> str:
    if not clashes:
        return ""
    names = [excerpt(won[0].text) for won, _ in clashes.values()]
    shown = ", ".join(repr(n) for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f", and set {shown} here (the merged mappings disagree on {'it' if len(names) == 1 else 'them'})"


# `<<: *name` up to the end of the alias (`]`, `,` and `}` end one in flow style)
_MERGE_VALUE = re.compile(r"[ \t]*:[ \t]*(\*[^\s,\]\}]+)")
