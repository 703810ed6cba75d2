"""TOML with positions: tomllib (tomli before 3.11) reads the values, a positional scan of
the same text finds the span of every key and value.

tomllib is the authority on what the file means, so values and structure always come from
it; the scan only has to find where each dotted key path is written (tables, dotted keys,
arrays of tables, inline tables and arrays), which is simple on text tomllib has accepted.
tomllib refuses repeated tables and keys: those become SL002 at the second definition,
naming the first; other errors SL001 at tomllib's line:col.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Optional, Union

from steplint.diagnostics import Location, Mark, Span
from steplint.documents.comments import make_comment
from steplint.documents.findings import LoadProblem, Parsed, excerpt, failed
from steplint.documents.nodes import Comment, MappingNode, Node, ScalarNode, SequenceNode
from steplint.documents.positions import LineIndex, too_deep_brackets
from steplint.documents.values import MAX_INT_BITS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - declared dependency on older Pythons
    import tomli as tomllib  # type: ignore[no-redef, import-not-found, unused-ignore]  # Python < 3.11 only

MAX_DEPTH = 200  # nested arrays and inline tables; tomllib recurses once per level

Path = tuple[Union[str, int], ...]  # of str keys and int indexes

_BLANK = re.compile(r"[ \t]*")
_BLANK_LINES = re.compile(r"[ \t\r\n]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_STRINGS = (  # longest delimiters first
    ('"""', re.compile(r'"""(?:[^"\\]|\\[\s\S]|"{1,2}(?!"))*"{3,5}')),
    ("'''", re.compile(r"'''(?:[^']|'{1,2}(?!'))*'{3,5}")),
    ('"', re.compile(r'"(?:[^"\\\r\n]|\\.)*"')),
    ("'", re.compile(r"'[^'\r\n]*'")),
)
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
    r"|\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
)
_ATOM = re.compile(r"[^\s,\]}#]+")
# tomllib's messages for a second definition of one key or table (tomllib/_parser.py)
_REDEFINITION = ("twice", "Cannot overwrite", "Cannot redefine", "Cannot mutate", "Duplicate")
_POSITION = re.compile(r" \(at (?:line (\d+), column (\d+)|end of document)\)$")


class _ScanError(Exception):
    pass



def _end(blanks: re.Pattern[str], text: str, at: int) -> int:
    """Where a run of `blanks` (a pattern that matches everywhere, possibly nothing) ends."""
    match = blanks.match(text, at)
    return match.end() if match is not None else at


class _Scanner:
    """Finds where each key path is written. Assumes text tomllib accepts, except that it
    also notes (instead of refusing) a key or table defined twice."""

    def __init__(self, text: str):
        self.text = text
        self.lines = LineIndex(text)
        self.keys: dict[Path, Span] = {}  # key path -> span of its last key part, first writing
        self.key_texts: dict[Path, str] = {}
        self.values: dict[Path, tuple[int, int]] = {}  # scalar, array or inline table text
        self.tables: dict[Path, Span] = {}  # table path -> header (or first key) span
        self.inline: set[Path] = set()
        self.array_tables: dict[Path, int] = {}  # [[x]] path -> elements so far
        self.comments: list[Comment] = []
        self.duplicates: list[tuple[Path, Span, Span]] = []  # path, first, second
        self._headers: dict[Path, Span] = {}

    def span(self, start: int, end: int) -> Span:
        return self.lines.span(start, end)

    # -- blanks and comments ----------------------------------------------------
    def blank(self, at: int, newlines: bool) -> int:
        text = self.text
        while True:
            at = _end(_BLANK_LINES if newlines else _BLANK, text, at)
            if not text.startswith("#", at):
                return at
            end = text.find("\n", at)
            end = len(text) if end == -1 else end
            body = text[at + 1:end].rstrip("\r")
            self.comments.append(make_comment(text, self.lines, at, body))
            at = end

    def expect(self, token: str, at: int) -> int:
        if not self.text.startswith(token, at):
            raise _ScanError(f"expected {token!r} at {at}")
        return at + len(token)

    # -- keys ----------------------------------------------------------------------
    def key(self, at: int) -> tuple[list[tuple[str, int, int]], int]:
        """A dotted key: [(name, start, end) per part], offset after it."""
        parts = []
        text = self.text
        while True:
            at = _end(_BLANK, text, at)
            char = text[at:at + 1]
            if char in ('"', "'"):
                match = _STRINGS[2 if char == '"' else 3][1].match(text, at)
                if match is None:
                    raise _ScanError(f"bad quoted key at {at}")
                raw = match.group()
                name = raw[1:-1] if char == "'" or "\\" not in raw else tomllib.loads("k = " + raw)["k"]
            else:
                match = _BARE_KEY.match(text, at)
                if match is None:
                    raise _ScanError(f"bad key at {at}")
                name = match.group()
            parts.append((name, match.start(), match.end()))
            at = _end(_BLANK, text, match.end())
            if not text.startswith(".", at):
                return parts, at
            at += 1

    def note_keys(self, base: Path, parts: list[tuple[str, int, int]], implicit_tables: bool) -> Path:
        """Record each key part's span under its full path; returns the full path."""
        path = base
        for i, (name, start, end) in enumerate(parts):
            path = path + (name,)
            span = self.span(start, end)
            self.keys.setdefault(path, span)
            self.key_texts.setdefault(path, self.text[start:end])
            if implicit_tables and i < len(parts) - 1:
                self.tables.setdefault(path, span)
            if path in self.array_tables and i < len(parts) - 1:
                path = path + (self.array_tables[path] - 1,)
        return path

    # -- statements ------------------------------------------------------------------
    def document(self) -> None:
        text = self.text
        table: Path = ()
        self.tables[()] = self.span(0, len(text))
        at = self.blank(0, True)
        while at < len(text):
            if text.startswith("[[", at):
                parts, after = self.key(at + 2)
                end = self.expect("]]", after)
                parent = self.note_keys((), parts[:-1], True)
                name, start, stop = parts[-1]
                array = self.note_keys(parent, [(name, start, stop)], True)
                index = self.array_tables.get(array, 0)
                self.array_tables[array] = index + 1
                header = self.span(at, end)
                self.tables.setdefault(array, header)
                table = array + (index,)
                self.tables[table] = header
            elif text.startswith("[", at):
                parts, after = self.key(at + 1)
                end = self.expect("]", after)
                table = self.note_keys((), parts, True)
                header = self.span(at, end)
                first = self._headers.get(table)
                if first is not None:
                    self.duplicates.append((table, first, header))
                else:
                    self._headers[table] = header
                self.tables[table] = header
            else:
                end = self.pair(at, table)
            at = self.blank(end, False)
            if at < len(text) and text[at] not in "\r\n":
                raise _ScanError(f"expected the end of a line at {at}")
            at = self.blank(at, True)

    def pair(self, at: int, table: Path) -> int:
        """`key = value`; returns the offset after the value."""
        parts, after = self.key(at)
        path = self.note_keys(table, parts, True)
        if path in self.values:
            name, start, end = parts[-1]
            self.duplicates.append((path, self.keys[path], self.span(start, end)))
        at = self.expect("=", after)
        return self.value(_end(_BLANK, self.text, at), path)

    # -- values ----------------------------------------------------------------------
    def value(self, at: int, path: Path) -> int:
        text = self.text
        char = text[at:at + 1]
        if char == "[":
            end = self.array(at, path)
        elif char == "{":
            end = self.inline_table(at, path)
        else:
            for opener, pattern in _STRINGS:
                if text.startswith(opener, at):
                    match = pattern.match(text, at)
                    break
            else:
                match = _DATETIME.match(text, at) or _ATOM.match(text, at)
            if match is None:
                raise _ScanError(f"no value at {at}")
            end = match.end()
        self.values[path] = (at, end)
        return end

    def array(self, start: int, path: Path) -> int:
        self.inline.add(path)
        at = self.blank(start + 1, True)
        index = 0
        while not self.text.startswith("]", at):
            at = self.blank(self.value(at, path + (index,)), True)
            index += 1
            if self.text.startswith(",", at):
                at = self.blank(at + 1, True)
        end = at + 1
        self.tables[path] = self.span(start, end)
        return end

    def inline_table(self, start: int, path: Path) -> int:
        self.inline.add(path)
        self.tables[path] = self.span(start, start + 1)  # widened below
        at = self.blank(start + 1, True)
        while not self.text.startswith("}", at):
            at = self.blank(self.pair(at, path), True)
            if self.text.startswith(",", at):
                at = self.blank(at + 1, True)
        end = at + 1
        self.tables[path] = self.span(start, end)
        return end


def _style(text: str) -> Optional[str]:
    return text[0] if text[:1] in ('"', "'") else None


class _Builder:
    """The node tree of tomllib's data, placed with the scanner's spans."""

    def __init__(self, text: str, scan: _Scanner):
        self.text = text
        self.scan = scan

    def node(self, value: Any, path: Path, near: Span) -> Node:
        scan = self.scan
        if isinstance(value, dict):
            span = scan.tables.get(path, near)
            items = []
            for key, child in value.items():
                key_path = path + (key,)
                key_span = scan.keys.get(key_path, span)
                written = scan.key_texts.get(key_path)
                key_text: str = written if written is not None else key
                items.append(
                    (ScalarNode(key, key_text, key_span, _style(key_text)), self.node(child, key_path, key_span))
                )
            return MappingNode(tuple(items), span, path in scan.inline)
        if isinstance(value, list):
            span = scan.tables.get(path, near)
            elements = tuple(self.node(child, path + (i,), span) for i, child in enumerate(value))
            return SequenceNode(elements, span, path in scan.inline)
        where = scan.values.get(path)
        if type(value) is int and value.bit_length() > MAX_INT_BITS:
            at = scan.span(*where) if where else near
            raise LoadProblem("SL001", "cannot read TOML: an integer is too large", at)
        if where is None:
            return ScalarNode(value, "", near)
        text = self.text[where[0]:where[1]]
        return ScalarNode(value, text, scan.span(*where), _style(text))


def _redefinition(path: str, text: str, error: Exception) -> Optional[LoadProblem]:
    """SL002 for a key or table tomllib saw twice, placed by the scanner when it can."""
    message = str(error)
    if not any(word in message for word in _REDEFINITION):
        return None
    scan = _Scanner(text)
    try:
        scan.document()
    except (_ScanError, tomllib.TOMLDecodeError, IndexError):
        pass
    if scan.duplicates:
        key, first, second = scan.duplicates[0]
        dotted = ".".join(str(part) for part in key)
        what = "table" if key in scan._headers else "key"
        return LoadProblem(
            "SL002",
            f"{what} {excerpt(dotted)!r} is defined twice (first on line {first.start.line}); TOML forbids it",
            second,
            (Location(path, first.start.line, first.start.column, "first defined here"),),
        )
    return LoadProblem("SL002", f"cannot parse TOML: {_POSITION.sub('', message)}", _error_mark(text, error))


def _number_too_long(text: str, error: ValueError) -> LoadProblem:
    """tomllib lets int() raise on more digits than sys.get_int_max_str_digits()."""
    found = re.search(r"[0-9A-Fa-f_]{1000,}", text)
    at = LineIndex(text).mark(found.start()) if found else None
    limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
    return LoadProblem("SL001", f"cannot parse TOML: a number has more than {limit:,} digits", at)


def _error_mark(text: str, error: Exception) -> Optional[Mark]:
    line = getattr(error, "lineno", None)
    column = getattr(error, "colno", None)
    if line is None or column is None:
        found = _POSITION.search(str(error))
        if found is None or found.group(1) is None:
            return LineIndex(text).mark(len(text)) if found else None
        line, column = int(found.group(1)), int(found.group(2))
    lines = LineIndex(text)
    offset = lines.starts[line - 1] + column - 1 if line <= len(lines.starts) else len(text)
    return Mark(line, column, offset)


def parse_toml(path: str, text: str) -> Parsed:
    """`text` as TOML nodes, with comments and loader findings."""
    deep = too_deep_brackets(text, MAX_DEPTH)
    if deep is not None:
        message = f"nesting is deeper than {MAX_DEPTH} levels (nesting depth cap)"
        return failed(path, LoadProblem("SL001", message, LineIndex(text).mark(deep)))
    try:
        data = tomllib.loads(text)
    except ValueError as error:
        if not isinstance(error, tomllib.TOMLDecodeError):  # int() refused a number's length
            return failed(path, _number_too_long(text, error))
        problem = _redefinition(path, text, error)
        if problem is None:
            message = _POSITION.sub("", str(error))
            problem = LoadProblem("SL001", f"cannot parse TOML: {message}", _error_mark(text, error))
        return failed(path, problem)
    scan = _Scanner(text)
    try:
        scan.document()
    except (_ScanError, IndexError):
        pass  # a gap in the scanner: values (from tomllib) stay right, spans fall back to tables
    if not data:  # empty, or only comments: not a config, not an error
        return Parsed(None, tuple(scan.comments))
    try:
        root = _Builder(text, scan).node(data, (), scan.tables[()])
    except LoadProblem as problem:
        return failed(path, problem)
    return Parsed(root, tuple(scan.comments))
