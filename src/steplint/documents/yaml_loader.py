"""YAML with positions: PyYAML's `compose` (libyaml's CSafeLoader when present) turned into
`nodes.py` nodes, with values resolved the way PyYAML's SafeLoader resolves them.

Only composing happens in PyYAML, never constructing, so no tag can build an object; the
conversion below refuses non-standard tags outright (`yaml.safe_load`, which frameworks
call, would refuse them too). Anchors are shared, not copied: a reused node is converted
once and the nodes that aliases add are counted against a cap, so an alias bomb costs
as much as its text. Duplicate keys are reported (PyYAML silently keeps the last), merge
keys (`<<`) are applied as the YAML merge spec says, and where PyYAML versions read them
differently (repeated `<<`, merged mappings that disagree) SL002 says so.
"""

from __future__ import annotations

import re
import sys
from typing import Optional

import yaml
from yaml.constructor import SafeConstructor

from steplint.diagnostics import Location, Mark, Span
from steplint.documents.comments import hash_comments
from steplint.documents.findings import LoadProblem, Parsed, excerpt, failed, loader_diagnostic
from steplint.documents.nodes import MappingNode, Node, ScalarNode, SequenceNode
from steplint.documents.positions import too_deep_brackets
from steplint.documents.values import MAX_INT_BITS

MAX_DEPTH = 200  # nesting levels; real configs stay under 10
MAX_ALIAS_NODES = 100_000  # nodes that aliases may add on top of the text's own
# Values (scalars and collections) of one document. A training config has hundreds to a
# few thousand; PyYAML composes the whole tree before steplint sees it (~270 bytes a node,
# then steplint's own nodes), so the count is checked first, from libyaml's events.
MAX_VALUES = 50_000

_TAG = "tag:yaml.org,2002:"
STR_TAG = _TAG + "str"
MERGE_TAG = _TAG + "merge"
# Tags YAML 1.1 defines for data (yaml.org/type); SafeLoader constructs exactly these.
_COLLECTION_TAGS = frozenset(_TAG + t for t in ("map", "seq", "omap", "pairs", "set"))

_constructor = SafeConstructor()


# `1:30:00` is an int in YAML 1.1 (base 60); hundreds of parts are an attack, not a time
_MAX_BASE60_PARTS = 12


def _read_float(node) -> float:
    """construct_yaml_float, without its detours for the common `3.0e-4` / `0.1` forms."""
    text = node.value
    if "_" not in text and ":" not in text:
        try:
            return float(text)
        except ValueError:  # .inf, .nan
            pass
    return _constructor.construct_yaml_float(node)


def _read_int(node) -> int:
    """construct_yaml_int, without its detours for plain decimals (`010` is octal there)."""
    text = node.value
    if text.isdigit() and (text[0] != "0" or text == "0"):
        return int(text)
    if text.count(":") > _MAX_BASE60_PARTS:  # 60**n grows quadratically slower to compute
        raise ValueError("too many base-60 parts")
    value = _constructor.construct_yaml_int(node)
    if value.bit_length() > MAX_INT_BITS:
        raise ValueError("too large to print")
    return value


# tag -> how SafeLoader turns the scalar's text into a value (str needs no call)
_SCALAR_READERS = {
    _TAG + "int": _read_int,
    _TAG + "float": _read_float,
    _TAG + "bool": lambda node: SafeConstructor.bool_values[node.value.lower()],
    _TAG + "null": lambda node: None,
    _TAG + "timestamp": _constructor.construct_yaml_timestamp,
    _TAG + "binary": _constructor.construct_yaml_binary,
    # `=` resolves to !!value; flatten_mapping reads it as a string key
    _TAG + "value": lambda node: node.value,
}

_notice_given = False
_new = tuple.__new__


def _text_of(node) -> str:
    """An opaquely tagged scalar (`!include base.yaml`, `!ref <lr>`): its text, unread."""
    return node.value


_RESOLVED: dict = {}  # plain scalar text -> the tag SafeLoader's resolver gives it (memo)
_MAX_RESOLVED = 20_000


def _fast(base: type) -> type:
    """`base` with PyYAML's resolver memoized: the composer asks it for the tag of every
    scalar (keys included, which repeat across configs) by trying regexes in turn. The
    answer depends on the text alone (no path resolvers are registered), so a dict of
    earlier answers gives the very same tags; `descend_resolver`/`ascend_resolver` are
    no-ops without path resolvers and skipped."""
    resolve = base.resolve
    scalar = yaml.ScalarNode

    class Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind, value, implicit):
            if kind is scalar and implicit[0]:
                tag = _RESOLVED.get(value)
                if tag is None:
                    tag = resolve(self, kind, value, (True, False))
                    if len(_RESOLVED) < _MAX_RESOLVED and len(value) < 200:
                        _RESOLVED[value] = tag
                return tag
            return resolve(self, kind, value, implicit)

        def descend_resolver(self, current_node, current_index):
            pass

        def ascend_resolver(self):
            pass

    if getattr(base, "yaml_path_resolvers", None):  # pragma: no cover - steplint registers none
        return base
    return Loader


_loaders: dict = {}


def _loader_class() -> type:
    """CSafeLoader when PyYAML was built with libyaml; else SafeLoader, said once."""
    global _notice_given
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        if not _notice_given:
            _notice_given = True
            print("steplint: libyaml is missing, reading YAML with PyYAML's slower pure-Python parser", file=sys.stderr)
        loader = yaml.SafeLoader
    fast = _loaders.get(loader)
    if fast is None:
        fast = _loaders[loader] = _fast(loader)
    return fast


def _mark(m) -> Mark:
    return Mark(m.line + 1, m.column + 1, m.index)


def _span(node) -> Span:
    return Span(_mark(node.start_mark), _mark(node.end_mark))


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _opaque(tag: str) -> bool:
    """A tag steplint reads as an opaque value: an application's own (`!include`, `!ref`,
    HyperPyYAML's `!new:torch.optim.Adam`, any `!local` or foreign-domain tag). Those keep
    their node (scalar text, or the mapping/sequence), the tag noted on it; the file is
    read on. Tags in YAML's own namespace that are not data (`!!python/object/apply:...`)
    construct objects and stay refused (SL001), as yaml.safe_load refuses them."""
    return not tag.startswith(_TAG) and not tag.startswith("tag:yaml.org,")


class _Converter:
    """One pass over a composed node graph; collects findings and string spans."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.done: dict[int, tuple[Node, int]] = {}  # id(composed) -> (node, expanded size)
        self.open: set[int] = set()  # collections being converted (a cycle re-enters one)
        self.alias_nodes = 0
        self.strings: list[tuple[int, int]] = []  # where `#` is text, not a comment
        self.diagnostics: list = []

    def convert(self, node, depth: int) -> tuple[Node, int]:
        """The node and how many nodes it expands to. Scalars are converted where they are
        met (an alias to one adds one node, as its text does); collections once."""
        if type(node) is yaml.ScalarNode:
            return self.scalar(node), 1
        return self.collection(node, depth)

    def collection(self, node, depth: int) -> tuple[Node, int]:
        key = id(node)
        hit = self.done.get(key)
        if hit is not None:
            self.alias_nodes += hit[1]
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise LoadProblem(
                    "SL001",
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes (alias expansion cap); "
                    "the anchor here is reused too often",
                    _span(node),
                )
            return hit
        if key in self.open:
            raise LoadProblem("SL001", "an alias refers to a node that contains it (a cycle)", _span(node))
        if depth >= MAX_DEPTH:  # the root is level 1
            raise LoadProblem("SL001", f"nesting is deeper than {MAX_DEPTH} levels (nesting depth cap)", _span(node))
        tag = node.tag
        if tag not in _COLLECTION_TAGS and not _opaque(tag):
            self.refuse(node)
        self.open.add(key)
        if type(node) is yaml.MappingNode:
            result = self.mapping(node, depth)
        else:
            result = self.sequence(node, depth)
        if tag not in _COLLECTION_TAGS:  # `!new:torch.optim.Adam` on a mapping: kept, tag noted
            result = (type(result[0])(result[0].items, result[0].span, result[0].flow, tag), result[1])
        self.open.discard(key)
        self.done[key] = result
        return result

    def refuse(self, node) -> None:
        raise LoadProblem(
            "SL001",
            f"refusing the tag {excerpt(_short_tag(node.tag))}: steplint reads plain data only "
            "(yaml.safe_load refuses it too)",
            _span(node),
        )

    def scalar(self, node) -> ScalarNode:
        tag = node.tag
        start, end = node.start_mark, node.end_mark
        first, last = start.index, end.index
        style = node.style or None  # libyaml says "" for plain
        if tag == STR_TAG:
            value = node.value
        else:
            reader = _SCALAR_READERS.get(tag)
            if reader is None:
                if not _opaque(tag):
                    self.refuse(node)
                reader = _text_of
            try:
                value = reader(node)
            except (ValueError, KeyError, TypeError, IndexError, OverflowError, yaml.YAMLError):
                raise LoadProblem(
                    "SL001", f"{excerpt(node.value)!r} cannot be read as {_short_tag(tag)}", _span(node)
                ) from None
        if style is not None:
            skip_from = first
            if style in "|>":  # the indicator line may carry a real comment
                skip_from = self.text.find("\n", skip_from) + 1 or last
            self.strings.append((skip_from, last))
        # tuple.__new__ straight: a NamedTuple's own __new__ is a Python-level call, and a
        # config has thousands of scalars, each with two marks and a span
        return _new(ScalarNode, (
            value,
            self.text[first:last],
            _new(Span, (_new(Mark, (start.line + 1, start.column + 1, first)),
                        _new(Mark, (end.line + 1, end.column + 1, last)))),
            style,
            tag,
        ))

    def sequence(self, node, depth: int) -> tuple[SequenceNode, int]:
        items = []
        size = 1
        for item in node.value:
            child, n = self.convert(item, depth + 1)
            items.append(child)
            size += n
        return SequenceNode(tuple(items), _span(node), node.flow_style is True), size

    def mapping(self, node, depth: int) -> tuple[MappingNode, int]:
        pairs: list = []
        first_keys: dict = {}  # key value -> its first key node
        merges: list = []  # (`<<` key node, the mappings it brings, in written order)
        size = 1
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.append((key_node, self.merge_sources(value_node, depth)))
                continue
            if type(key_node) is not yaml.ScalarNode:
                raise LoadProblem(
                    "SL001", "a mapping key must be a plain value, not a list or mapping", _span(key_node)
                )
            key = self.scalar(key_node)
            if type(value_node) is yaml.ScalarNode:
                value, n = self.scalar(value_node), 1
            else:
                value, n = self.collection(value_node, depth + 1)
            size += n + 1
            try:
                first = first_keys.setdefault(key.value, key)
            except TypeError:  # an unhashable key value cannot occur for scalars; be safe
                first = key
            if first is not key:
                self.duplicate(key, first)
            pairs.append((key, value))
        if merges:
            inherited = self.merged(merges, first_keys)
            size += 2 * len(inherited)
            pairs = inherited + pairs
        return MappingNode(tuple(pairs), _span(node), node.flow_style is True), size

    def merge_sources(self, value_node, depth: int) -> list:
        """The mappings a `<<` brings (one, or a list of them), each as its pairs."""
        if isinstance(value_node, yaml.MappingNode):
            source, _ = self.collection(value_node, depth + 1)
            return [source.items]
        if isinstance(value_node, yaml.SequenceNode):
            out: list = []
            for item in value_node.value:
                if not isinstance(item, yaml.MappingNode):
                    raise LoadProblem("SL001", "a merge key (<<) takes mappings only", _span(item))
                source, _ = self.collection(item, depth + 1)
                out.append(source.items)
            return out
        raise LoadProblem("SL001", "a merge key (<<) takes a mapping or a list of mappings", _span(value_node))

    def merged(self, merges: list, explicit: dict) -> list:
        """The pairs merge keys add, read as the YAML merge spec and PyYAML up to 6.0.3 read
        `<<: [*a, *b]`: the first mapping to give a key wins, explicit keys win over all;
        repeated `<<` keys count as one list in written order. PyYAML 6.0.4 gives a key two
        merged mappings share the value of the last one (yaml/pyyaml#953), and which `<<`
        wins when there are several differs between versions too: such files get SL002
        instead of a guess."""
        winners: dict = {}  # key value -> the pair that gives it
        clashes: dict = {}  # key value -> (winning pair, a later pair with another value)
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
                    _mark(first.start_mark),
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

    def merge_text(self, key_node) -> str:
        """What follows a `<<:` when it is one alias (`*base`), else a placeholder."""
        found = _MERGE_VALUE.match(self.text, key_node.end_mark.index)
        return excerpt(found.group(1)) if found else "*..."

    def merge_problem(self, key_node, message: str, other: Mark, note: str) -> None:
        """SL002 at a `<<` key, pointing also at the other place involved."""
        self.diagnostics.append(
            loader_diagnostic(self.path, "SL002", message, _span(key_node),
                              related=(Location(self.path, other.line, other.column, note),))
        )

    def duplicate(self, key: ScalarNode, first: ScalarNode) -> None:
        start = first.span.start
        self.diagnostics.append(
            loader_diagnostic(
                self.path,
                "SL002",
                f"duplicate key {excerpt(key.text)!r} (first on line {start.line}): PyYAML silently keeps "
                "the last value, OmegaConf refuses the file",
                key,
                related=(Location(self.path, start.line, start.column, "first defined here"),),
            )
        )


def _same_node(a: Node, b: Node) -> bool:
    """Whether two merged values are certainly equal (same scalar value, or one shared node)."""
    if isinstance(a, ScalarNode) and isinstance(b, ScalarNode):
        return type(a.value) is type(b.value) and a.value == b.value
    return a is b


def _clash_advice(clashes: dict) -> str:
    if not clashes:
        return ""
    names = [excerpt(won[0].text) for won, _ in clashes.values()]
    shown = ", ".join(repr(n) for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f", and set {shown} here (the merged mappings disagree on {'it' if len(names) == 1 else 'them'})"


# `<<: *name` up to the end of the alias (`]`, `,` and `}` end one in flow style)
_MERGE_VALUE = re.compile(r"[ \t]*:[ \t]*(\*[^\s,\]\}]+)")

# A line of compact block collections (`- - - - x`) nests as deep as it is long.
_COMPACT_NESTING = re.compile(r"^[ \t]*(?:[-?:][ \t]+){%d}" % MAX_DEPTH, re.M)


def _check_depth(text: str) -> None:
    """Refuse nesting that would crash libyaml's recursive composer (or overflow the
    pure-Python one) before composing; the converter enforces MAX_DEPTH exactly later.
    Indentation-only nesting needs quadratic text, which the size cap bounds."""
    offset = too_deep_brackets(text, MAX_DEPTH)
    if offset is None and ("- " in text or "? " in text):
        compact = _COMPACT_NESTING.search(text)
        offset = compact.end() if compact else None
    if offset is not None:
        line = text.count("\n", 0, offset)
        column = offset - (text.rfind("\n", 0, offset) + 1)
        raise LoadProblem(
            "SL001",
            f"nesting is deeper than {MAX_DEPTH} levels (nesting depth cap)",
            Mark(line + 1, column + 1, offset),
        )


def _syntax_problem(error: yaml.YAMLError, text: str) -> LoadProblem:
    """PyYAML's problem text as one sentence at its line:col."""
    if isinstance(error, yaml.MarkedYAMLError):
        problem = error.problem or "invalid YAML"
        at = error.problem_mark
        context, where = error.context, error.context_mark
        if at is not None and text[at.index:at.index + 1] == "\t":
            problem, context = "found a tab where YAML expects spaces (YAML indents with spaces only)", None
        if context and where is not None and (at is None or where.index != at.index):
            context += f" started at line {where.line + 1}, column {where.column + 1}"
        message = f"cannot parse YAML: {problem}" + (f" ({context})" if context else "")
        return LoadProblem("SL001", message, _mark(at) if at is not None else None)
    if isinstance(error, yaml.reader.ReaderError):
        offset = error.position
        line = text.count("\n", 0, offset)
        column = offset - (text.rfind("\n", 0, offset) + 1)
        return LoadProblem(
            "SL001",
            f"cannot read YAML: {error.reason} (character U+{error.character:04X})",
            Mark(line + 1, column + 1, offset),
        )
    return LoadProblem("SL001", f"cannot parse YAML: {error}")


_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)


def _next_document(loader, text: str, after: int) -> Mark:
    """Where the second document starts (libyaml's event marks point past the `---`)."""
    found = _DOCUMENT_START.search(text, after)
    if found is None:
        return _mark(loader.peek_event().start_mark)
    offset = found.start()
    return Mark(text.count("\n", 0, offset) + 1, 1, offset)


_VALUE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)


def _check_values(text: str, limit: int = MAX_VALUES) -> None:
    """Refuse a document of more than `limit` values before composing it: libyaml's events
    stream in constant memory, where the composed tree of a 2 MB list of a million items
    took 750 MiB. A text shorter than the limit cannot hold more values than characters
    (`{a,b}` is five characters and four scalars plus one mapping), so it is not scanned.
    A syntax error stops the scan; composing then reports it, having built at most
    `limit` nodes."""
    if len(text) <= limit:
        return
    parser = _loader_class()(text)
    count = 0
    kinds = _VALUE_EVENTS
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, kinds):
                count += 1
                if count > limit:
                    raise LoadProblem(
                        "SL001",
                        f"the document holds more than {limit:,} values (values-per-document cap; a training "
                        "config has a few thousand); not read",
                        _mark(event.start_mark),
                    )
            elif isinstance(event, yaml.DocumentEndEvent):
                return  # only the first document is read
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


def parse_yaml(path: str, text: str) -> Parsed:
    """The first YAML document of `text` as nodes, its comments and loader findings."""
    loader = None
    try:
        _check_depth(text)
        _check_values(text)
        loader = _loader_class()(text)
        composed = loader.get_node() if loader.check_node() else None
        if composed is None:
            return Parsed(None)
        more: Optional[Mark] = None
        if loader.check_node():
            more = _next_document(loader, text, composed.end_mark.index)
        converter = _Converter(path, text)
        root, _ = converter.convert(composed, 0)
    except LoadProblem as problem:
        return failed(path, problem)
    except yaml.YAMLError as error:
        return failed(path, _syntax_problem(error, text))
    except RecursionError:
        return failed(path, LoadProblem("SL001", f"nesting is deeper than {MAX_DEPTH} levels (nesting depth cap)"))
    finally:
        if loader is not None:
            loader.dispose()
    diagnostics = converter.diagnostics
    if more is not None:
        diagnostics.append(
            loader_diagnostic(
                path,
                "SL001",
                "a second YAML document starts here; frameworks load one (yaml.safe_load refuses "
                "the file), steplint reads the first",
                more,
            )
        )
    return Parsed(root, hash_comments(text, converter.strings), tuple(diagnostics))
