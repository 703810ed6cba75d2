"""YAML with positions: with libyaml, `yaml_events.py` builds `nodes.py` nodes straight from
its parse events (plain data, what configs are); whatever it leaves (anchors, merge keys,
any problem) is composed by PyYAML (CSafeLoader, else SafeLoader) and `yaml_convert.py`
turns the composed graph into nodes, with values resolved the way SafeLoader resolves them.

Only parsing and composing happen in PyYAML, never constructing, so no tag can build an object. Before
composing, two cheap checks bound what composing may cost: the nesting depth (libyaml's
composer recurses) and the number of values (PyYAML builds the whole tree first).
"""

from __future__ import annotations

import re
import sys
from typing import Callable, Optional, cast

import yaml

from steplint.diagnostics import Diagnostic, Mark
from steplint.documents.comments import FoundComments
from steplint.documents.findings import LoadProblem, Parsed, failed, loader_diagnostic
from steplint.documents.positions import too_deep_brackets
from steplint.documents.yaml_convert import MAX_ALIAS_NODES, MAX_DEPTH, Converter, mark_of
from steplint.documents.yaml_events import Fallback, build_first_document

__all__ = ["MAX_ALIAS_NODES", "MAX_DEPTH", "MAX_VALUES", "parse_yaml"]

# Values (scalars and collections) of one document. A training config has hundreds to a
# few thousand; PyYAML composes the whole tree before steplint sees it (~270 bytes a node,
# then steplint's own nodes), so the count is checked first, from libyaml's events.
MAX_VALUES = 50_000

_notice_given = False

_RESOLVED: dict[str, str] = {}  # plain scalar text -> the tag SafeLoader's resolver gives it (memo)
_MAX_RESOLVED = 20_000


def _fast(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    """`base` with PyYAML's resolver memoized: the composer asks it for the tag of every
    scalar (keys included, which repeat across configs) by trying regexes in turn. The
    answer depends on the text alone (no path resolvers are registered), so a dict of
    earlier answers gives the very same tags; `descend_resolver`/`ascend_resolver` are
    no-ops without path resolvers and skipped."""
    resolve = cast(Callable[[yaml.SafeLoader, type[yaml.Node], str, tuple[bool, bool]], str], base.resolve)
    scalar = yaml.ScalarNode

    class Loader(base):  # type: ignore[valid-type, misc]  # a class made from a variable base
        def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
            if kind is scalar and implicit[0]:
                tag = _RESOLVED.get(value)
                if tag is None:
                    tag = resolve(self, kind, value, (True, False))
                    if len(_RESOLVED) < _MAX_RESOLVED and len(value) < 200:
                        _RESOLVED[value] = tag
                return tag
            return resolve(self, kind, value, implicit)

        def descend_resolver(self, current_node: object, current_index: object) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

    if getattr(base, "yaml_path_resolvers", None):  # pragma: no cover - steplint registers none
        return base
    return Loader


_loaders: dict[type[yaml.SafeLoader], type[yaml.SafeLoader]] = {}


def _loader_class() -> type[yaml.SafeLoader]:
    """CSafeLoader when PyYAML was built with libyaml; else SafeLoader, said once."""
    global _notice_given
    loader: Optional[type[yaml.SafeLoader]] = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        if not _notice_given:
            _notice_given = True
            print("steplint: libyaml is missing, reading YAML with PyYAML's slower pure-Python parser", file=sys.stderr)
        loader = yaml.SafeLoader
    fast = _loaders.get(loader)
    if fast is None:
        fast = _loaders[loader] = _fast(loader)
    return fast


# A line of compact block collections (`- - - - x`) nests as deep as it is long. The first
# line is matched at the start, the others after their `\n`: a pattern that starts with a
# literal lets the regex engine jump from line to line, where `^` with re.M tries every
# character (a tenth of a millisecond on a 20 kB config).
_COMPACT_FIRST = re.compile(r"[ \t]*(?:[-?:][ \t]+){%d}" % MAX_DEPTH)
_COMPACT_LATER = re.compile(r"\n[ \t]*(?:[-?:][ \t]+){%d}" % MAX_DEPTH)
# Such a line is at least this long (an indicator and a blank per level); the regexes
# still try every line, so a text without a line that long is not searched.
_COMPACT_MIN_LINE = 2 * MAX_DEPTH


def _has_line_of(text: str, length: int) -> bool:
    """Whether a line of `text` (between `\n`s) is at least `length` characters long: each
    window of that length either holds no `\n` (then yes) or none can start before its
    last `\n`, so the search jumps a window at a time, not a line at a time."""
    rfind, at, size = text.rfind, 0, len(text)
    while at + length <= size:
        last = rfind("\n", at, at + length)
        if last < 0:
            return True
        at = last + 1
    return False


def _check_depth(text: str) -> None:
    """Refuse nesting that would crash libyaml's recursive composer (or overflow the
    pure-Python one) before composing; the converter enforces MAX_DEPTH exactly later.
    Indentation-only nesting needs quadratic text, which the size cap bounds."""
    offset = too_deep_brackets(text, MAX_DEPTH)
    if offset is None and ("- " in text or "? " in text) and _has_line_of(text, _COMPACT_MIN_LINE):
        compact = _COMPACT_FIRST.match(text) or _COMPACT_LATER.search(text)
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
        return LoadProblem("SL001", message, mark_of(at) if at is not None else None)
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


def _next_document(loader: yaml.SafeLoader, text: str, after: int) -> Mark:
    """Where the second document starts (libyaml's event marks point past the `---`)."""
    found = _DOCUMENT_START.search(text, after)
    offset: int
    if found is None:
        event = cast(Callable[[], yaml.Event], loader.peek_event)()
        if event.start_mark is not None:
            return mark_of(event.start_mark)
        offset = after  # pragma: no cover - libyaml's events always carry marks
    else:
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
    get_event = cast(Callable[[], yaml.Event], parser.get_event)
    try:
        while parser.check_event():
            event = get_event()
            if isinstance(event, kinds):
                count += 1
                if count > limit:
                    raise LoadProblem(
                        "SL001",
                        f"the document holds more than {limit:,} values (values-per-document cap; a training "
                        "config has a few thousand); not read",
                        mark_of(event.start_mark) if event.start_mark is not None else None,
                    )
            elif isinstance(event, yaml.DocumentEndEvent):
                return  # only the first document is read
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


def parse_yaml(path: str, text: str) -> Parsed:
    """The first YAML document of `text` as nodes, its comments and loader findings:
    straight from libyaml's events where the text lets `yaml_events.py` build it, else
    composed and converted (which then says what is wrong, and where)."""
    try:
        _check_depth(text)
        _check_values(text)
    except LoadProblem as problem:
        return failed(path, problem)
    parser = getattr(yaml.cyaml, "CParser", None) if getattr(yaml, "CSafeLoader", None) is not None else None
    if parser is not None:
        try:
            root, strings, diagnostics, more = build_first_document(path, text, parser)
        except Fallback:
            pass
        else:
            if root is None:
                return Parsed(None)  # no document: no comments either, as before
            if not more:
                return Parsed(root, FoundComments(text, strings), tuple(diagnostics))
            found = _DOCUMENT_START.search(text, root.span.end.offset)
            if found is not None:  # else composing reads where the next event starts, as before
                offset = found.start()
                diagnostics.append(_second_document(path, Mark(text.count("\n", 0, offset) + 1, 1, offset)))
                return Parsed(root, FoundComments(text, strings), tuple(diagnostics))
    return _compose_and_convert(path, text)


def _second_document(path: str, at: Mark) -> Diagnostic:
    return loader_diagnostic(
        path,
        "SL001",
        "a second YAML document starts here; frameworks load one (yaml.safe_load refuses "
        "the file), steplint reads the first",
        at,
    )


def _compose_and_convert(path: str, text: str) -> Parsed:
    """The first document composed by PyYAML, then converted by `yaml_convert.py`."""
    loader = None
    try:
        loader = _loader_class()(text)
        composed = loader.get_node() if loader.check_node() else None
        if composed is None:
            return Parsed(None)
        more: Optional[Mark] = None
        if loader.check_node():
            more = _next_document(loader, text, composed.end_mark.index)
        converter = Converter(path, text)
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
        diagnostics.append(_second_document(path, more))
    return Parsed(root, FoundComments(text, converter.strings), tuple(diagnostics))
