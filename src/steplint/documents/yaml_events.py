"""The first YAML document straight from libyaml's events to `nodes.py` nodes: one tree
built, where composing builds PyYAML's node tree and `yaml_convert.py` then a copy of it.

This is the fast path of `yaml_loader.parse_yaml` for the files a training config
usually is: plain data, no anchors, no problem. Whatever it does not handle itself it
hands back (`Fallback`), and the loader then composes and converts as before, so every
finding, its wording, its position and which of several problems wins stay those of the
compose-and-convert path: any YAML error (the composer would meet it too, and it wins over
a conversion problem found earlier in the text), any conversion problem (a refused tag, an
unreadable `!!timestamp`, a collection as a key, nesting past the cap), anchors, aliases
and merge keys (`<<`), and a second document whose `---` the text does not show.

What it builds is what the converter builds from the composed tree: the composer's tags
(a tag absent or `!` resolved the way SafeLoader's resolver does; libyaml's events carry
the same implicit flags the composer reads), values read by the same readers, the same
marks, spans, styles and key indexes, and SL002 for duplicate keys in the same order (a
pair is complete, and checked, once its value is, as in the converter's depth-first pass).

Per scalar the work is kept to what the result needs: a plain scalar's tag and value come
from a memo keyed by its text (keys and common values repeat across a config and across
files), each scalar node is one flat tuple made with `tuple.__new__` (its span is six ints,
built into a Span only when read: `nodes.ScalarNode`), and a `#` inside a string is noted
for comment finding only where the string holds one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, cast

import yaml

from steplint.diagnostics import Diagnostic, Mark, Span
from steplint.documents import yaml_convert
from steplint.documents.nodes import MappingNode, ScalarNode, SequenceNode
from steplint.documents.yaml_convert import (COLLECTION_TAGS, MERGE_TAG, STR_TAG, duplicate_finding, is_opaque,
                                             scalar_reader)

if TYPE_CHECKING:  # types only
    from yaml._yaml import CParser

    from steplint.documents.nodes import Node

    Built = tuple[Optional[Node], list[tuple[int, int]], list[Diagnostic], bool]

__all__ = ["Fallback", "build_first_document"]

_new = tuple.__new__

# plain scalar text -> (tag, value) as the composer's resolver and the converter's readers
# give them; the answer depends on the text alone (no path resolvers are registered).
# Values are immutable (str, int, float, bool, None, date/datetime), so sharing is safe.
_PLAIN: dict[str, tuple[str, object]] = {}
_MAX_PLAIN = 20_000
_resolve = cast(Callable[[type[yaml.Node], str, tuple[bool, bool]], str], yaml.resolver.Resolver().resolve)


class Fallback(Exception):
    """This text needs the compose-and-convert path (see the module's docstring)."""


def _plain(text: str) -> tuple[str, object]:
    """Tag and value of a plain implicit scalar; memoized."""
    tag = _resolve(yaml.ScalarNode, text, (True, False))
    value = text if tag == STR_TAG else _read(tag, text)
    if len(_PLAIN) < _MAX_PLAIN and len(text) < 200:
        _PLAIN[text] = (tag, value)
    return tag, value


def _read(tag: str, text: str) -> object:
    """The value of a scalar of a non-str tag, or Fallback where the converter refuses the
    tag or cannot read the text (it then says which and where, and whatever the reader
    raised decides there, not here)."""
    reader = scalar_reader(tag)
    if reader is None:
        raise Fallback
    try:
        return reader(yaml.ScalarNode(tag, text))
    except Exception:
        raise Fallback from None


def build_first_document(path: str, text: str, parser_class: Callable[[str], CParser]) -> Built:
    """(root or None, string spans for comment finding, SL002 findings, whether a second
    document follows) for the first document of `text`; or Fallback."""
    parser = None
    try:
        parser = parser_class(text)
        return _build(path, text, parser)
    except (yaml.YAMLError, RecursionError):  # the loader's own path says what it is
        raise Fallback from None
    finally:
        if parser is not None:
            parser.dispose()


_SCALAR, _MAPPING, _SEQUENCE = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAPPING_END, _SEQUENCE_END = yaml.MappingEndEvent, yaml.SequenceEndEvent


def _build(path: str, text: str, parser: CParser) -> Built:
    # events are read by duck typing: each kind is told by its exact type first
    get = cast(Callable[[], Any], parser.get_event)
    get()  # StreamStartEvent
    event = get()
    if type(event) is yaml.StreamEndEvent:
        return None, [], [], False
    builder = _Builder(path, text, get)
    event = get()
    kind = type(event)
    root: Node
    if kind is _SCALAR:
        root = builder.scalar(event)
    elif kind is _MAPPING or kind is _SEQUENCE:
        root = builder.collection(event, 0)
    else:
        raise Fallback  # an alias as the whole document
    # the document's end, then what the composer's check for a next document parses
    if type(get()) is not yaml.DocumentEndEvent:  # pragma: no cover - libyaml ends a document so
        raise Fallback
    return root, builder.strings, builder.diagnostics, type(get()) is not yaml.StreamEndEvent


class _Builder:
    """Recursive descent over one document's events, one call per collection (depth is
    capped far below Python's recursion limit); each mapping reads its pairs two events at
    a time. A class, not closures: recursive closures form a reference cycle that keeps
    each file's parser and text alive until a full garbage collection (10,000 files grew
    the process by 120 MiB)."""

    __slots__ = ("path", "text", "get", "max_depth", "anchors", "strings", "diagnostics")

    def __init__(self, path: str, text: str, get: Callable[[], Any]):
        self.path = path
        self.text = text
        self.get = get
        self.max_depth = yaml_convert.MAX_DEPTH  # read per file: tests lower it
        self.anchors = "&" in text  # no `&`, no anchor: the check per node is skipped
        self.strings: list[tuple[int, int]] = []  # where `#` is text, not a comment
        self.diagnostics: list[Diagnostic] = []

    def scalar(self, event: Any) -> ScalarNode:
        """The node of one scalar event; `collection` builds its scalars inline, the same way."""
        if self.anchors and event.anchor is not None:
            raise Fallback
        tag: Optional[str] = event.tag
        style: Optional[str] = event.style
        value_text: str = event.value
        value: object
        if tag is None and not style:  # plain: implicit (see `collection`)
            hit = _PLAIN.get(value_text)
            tag, value = hit if hit is not None else _plain(value_text)
        else:
            tag, value = _tagged(tag, value_text, event)
        start, end = event.start_mark, event.end_mark
        first: int = start.index
        last: int = end.index
        written = self.text[first:last]
        if style:
            if "#" in written:
                self.strings.append(_string_span(self.text, style, first, last))
        else:
            style = None  # libyaml says "" for plain
        made: ScalarNode = _new(ScalarNode, (value, written, style, tag, start.line + 1, start.column + 1, first,
                                             end.line + 1, end.column + 1, last))
        return made

    def collection(self, event: Any, depth: int) -> Node:
        anchors = self.anchors
        if (anchors and event.anchor is not None) or depth >= self.max_depth:
            raise Fallback
        own_tag: Optional[str] = event.tag
        if own_tag is None or own_tag == "!" or own_tag in COLLECTION_TAGS:
            own_tag = None
        elif not is_opaque(own_tag):
            raise Fallback
        start = event.start_mark
        opened = _new(Mark, (start.line + 1, start.column + 1, start.index))
        flow = event.flow_style is True
        depth += 1
        get, collection, scalar = self.get, self.collection, self.scalar
        value: Node
        if type(event) is _MAPPING:
            # the pairs, two events at a time through one loop; a plain scalar (most keys
            # and values) is built inline, as `scalar` builds it: a call per scalar is
            # measurable. Without a tag, libyaml's event is implicit for the plain style
            # exactly, so `implicit` is read only for tagged scalars, in `_tagged`: libyaml's
            # yaml_parser_parse_node sets plain_implicit for a plain scalar without a tag or
            # for the tag `!`, quoted_implicit for any other untagged one
            # (https://github.com/yaml/libyaml/blob/c9b74def08ff0fcac2f1466652b432e4c3129b35/src/parser.c),
            # and PyYAML's CParser._event_to_object gives the plain style as "" (the others
            # as ', ", |, >; https://github.com/yaml/pyyaml/blob/084815363106e5c48933ff78ddb5baea6f91f150/yaml/_yaml.pyx).
            text, plain_memo = self.text, _PLAIN
            pairs: list[tuple[ScalarNode, Node]] = []
            append = pairs.append
            index: dict[object, int] = {}  # key value -> position of its first pair
            setdefault = index.setdefault
            key: Optional[ScalarNode] = None
            key_value: object = None
            while True:
                event = get()
                kind = type(event)
                if kind is _SCALAR:
                    if anchors or event.tag is not None or event.style:
                        value = scalar(event)
                        read: object = value[0]
                        if key is None and value[3] == MERGE_TAG:
                            raise Fallback
                    else:
                        value_text: str = event.value
                        hit = plain_memo.get(value_text)
                        tag, read = hit if hit is not None else _plain(value_text)
                        if key is None and tag == MERGE_TAG:
                            raise Fallback
                        start, end = event.start_mark, event.end_mark
                        first: int = start.index
                        last: int = end.index
                        value = _new(ScalarNode, (read, text[first:last], None, tag, start.line + 1,
                                                  start.column + 1, first, end.line + 1, end.column + 1, last))
                    if key is None:
                        key, key_value = value, read
                        continue
                elif kind is _MAPPING_END:
                    break
                elif key is not None and (kind is _MAPPING or kind is _SEQUENCE):
                    value = collection(event, depth)
                else:
                    raise Fallback  # a collection as a key, or an alias
                at = len(pairs)
                first_at = setdefault(key_value, at)  # scalar values are hashable
                if first_at != at:
                    self.diagnostics.append(duplicate_finding(self.path, key, pairs[first_at][0]))
                append((key, value))
                key = None
            end = event.end_mark
            span = _new(Span, (opened, _new(Mark, (end.line + 1, end.column + 1, end.index))))
            handed = index if len(pairs) >= MappingNode.INDEXED_FROM else None
            return MappingNode(tuple(pairs), span, flow, own_tag, handed)
        items: list[Node] = []
        add = items.append
        while True:
            event = get()
            kind = type(event)
            if kind is _SCALAR:
                add(scalar(event))
            elif kind is _SEQUENCE_END:
                break
            elif kind is _MAPPING or kind is _SEQUENCE:
                add(collection(event, depth))
            else:
                raise Fallback  # an alias
        end = event.end_mark
        span = _new(Span, (opened, _new(Mark, (end.line + 1, end.column + 1, end.index))))
        return SequenceNode(tuple(items), span, flow, own_tag)


def _tagged(tag: Optional[str], value_text: str, event: Any) -> tuple[str, object]:
    """Tag and value of a scalar that is quoted, block or tagged (the plain untagged ones
    go through the memo)."""
    if tag is None:
        return STR_TAG, value_text  # quoted or block, untagged: a str
    if tag == "!":  # the non-specific tag: resolved as the composer resolves it
        if event.implicit[0]:
            hit = _PLAIN.get(value_text)
            return hit if hit is not None else _plain(value_text)
        return STR_TAG, value_text  # pragma: no cover - libyaml makes `!` implicit for every style
    if tag == STR_TAG:
        return tag, value_text
    return tag, _read(tag, value_text)


def _string_span(text: str, style: str, first: int, last: int) -> tuple[int, int]:
    """Where `#` is string content in a quoted or block scalar (for `hash_comments`); a
    block scalar's indicator line may carry a real comment. Only scalars whose text holds
    a `#` are noted: a span without one cannot hide a comment."""
    if style in "|>":
        return text.find("\n", first) + 1 or last, last
    return first, last
