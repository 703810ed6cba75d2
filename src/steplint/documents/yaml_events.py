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
files), and NamedTuples are made with `tuple.__new__`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, cast

import yaml

from steplint.diagnostics import Diagnostic, Mark, Span
from steplint.documents import yaml_convert
from steplint.documents.nodes import MappingNode, ScalarNode, SequenceNode
from steplint.documents.yaml_convert import COLLECTION_TAGS, MERGE_TAG, STR_TAG, duplicate_finding, is_opaque, scalar_reader

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
    parser = parser_class(text)
    try:
        return _build(path, text, parser)
    except yaml.YAMLError:
        raise Fallback from None
    finally:
        parser.dispose()


def _build(path: str, text: str, parser: CParser) -> Built:
    # events are read by duck typing: each kind is told by its exact type first
    get = cast(Callable[[], Any], parser.get_event)
    get()  # StreamStartEvent
    event = get()
    if type(event) is yaml.StreamEndEvent:
        return None, [], [], False
    max_depth = yaml_convert.MAX_DEPTH  # read per call: tests lower it
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    indexed_from = MappingNode.INDEXED_FROM
    plain_memo = _PLAIN
    strings: list[tuple[int, int]] = []
    diagnostics: list[Diagnostic] = []
    # open collections: [is mapping, items, start mark, tag, flow, pending key, key index]
    stack: list[list] = []  # type: ignore[type-arg]  # a frame's fields differ in type
    frame: Optional[list] = None  # type: ignore[type-arg]
    node: Node
    while True:
        event = get()
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None:
                raise Fallback
            tag = event.tag
            value_text: str = event.value
            if tag is None or tag == "!":
                if event.implicit[0]:
                    hit = plain_memo.get(value_text)
                    tag, value = hit if hit is not None else _plain(value_text)
                else:
                    tag, value = STR_TAG, value_text
            elif tag == STR_TAG:
                value = value_text
            else:
                value = _read(tag, value_text)
            start, end = event.start_mark, event.end_mark
            first: int = start.index
            last: int = end.index
            style: Optional[str] = event.style or None  # libyaml says "" for plain
            if style is not None:
                skip_from = first
                if style in "|>":  # the indicator line may carry a real comment
                    skip_from = text.find("\n", skip_from) + 1 or last
                strings.append((skip_from, last))
            node = _new(ScalarNode, (
                value,
                text[first:last],
                _new(Span, (_new(Mark, (start.line + 1, start.column + 1, first)),
                            _new(Mark, (end.line + 1, end.column + 1, last)))),
                style,
                tag,
            ))
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or len(stack) >= max_depth:
                raise Fallback
            tag = event.tag
            if tag is None or tag == "!":
                tag = None
            elif tag in COLLECTION_TAGS:
                tag = None
            elif not is_opaque(tag):
                raise Fallback
            start = event.start_mark
            if frame is not None:
                stack.append(frame)
            frame = [kind is mapping_start, [], _new(Mark, (start.line + 1, start.column + 1, start.index)), tag,
                     event.flow_style is True, None, {}]
            continue
        elif kind is mapping_end or kind is sequence_end:
            assert frame is not None
            end = event.end_mark
            span = _new(Span, (frame[2], _new(Mark, (end.line + 1, end.column + 1, end.index))))
            items = frame[1]
            if frame[0]:
                node = MappingNode(tuple(items), span, frame[4], frame[3],
                                   frame[6] if len(items) >= indexed_from else None)
            else:
                node = SequenceNode(tuple(items), span, frame[4], frame[3])
            frame = stack.pop() if stack else None
        else:  # an alias (or an event a node cannot start with, which the parser never gives)
            raise Fallback
        if frame is None:
            break
        if not frame[0]:
            frame[1].append(node)
            continue
        key = frame[5]
        if key is None:
            if type(node) is not ScalarNode or node[4] == MERGE_TAG:
                raise Fallback  # a collection as a key, or a merge key
            frame[5] = node
            continue
        frame[5] = None
        pairs = frame[1]
        at = len(pairs)
        first_at = frame[6].setdefault(key[0], at)  # scalar values are hashable
        if first_at != at:
            diagnostics.append(duplicate_finding(path, key, pairs[first_at][0]))
        pairs.append((key, node))
    # the document's end, then what the composer's check for a next document parses
    if type(get()) is not yaml.DocumentEndEvent:  # pragma: no cover - libyaml ends a document so
        raise Fallback
    return node, strings, diagnostics, type(get()) is not yaml.StreamEndEvent
