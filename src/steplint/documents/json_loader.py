"""JSON with positions: a small recursive-descent scanner, because `json` gives positions
only for syntax errors.

Strings and numbers are read exactly as `json.loads` reads them (its own `scanstring`,
`int`/`float` of the same number grammar), so on valid JSON the tree's plain value equals
`json.loads`'s. `lenient=True` (the default for files) also takes what DeepSpeed's hjson
reader and hand-edited configs contain: `//`, `#` and `/* */` comments and trailing
commas. Duplicate keys are SL002 (json keeps the last silently, DeepSpeed refuses them);
NaN/Infinity are read, as Python does, and reported as SL004.
"""

from __future__ import annotations

import json.decoder
import re
from json.decoder import JSONDecodeError
from typing import Callable, Optional

from steplint.diagnostics import Diagnostic, Location
from steplint.documents.comments import make_comment
from steplint.documents.findings import LoadProblem, Parsed, excerpt, failed, loader_diagnostic
from steplint.documents.nodes import Comment, MappingNode, Node, ScalarNode, SequenceNode
from steplint.documents.positions import LineIndex

MAX_DEPTH = 200

# json's own string reader (public in json.decoder, absent from typeshed's stub)
scanstring: Callable[[str, int, bool], tuple[str, int]] = getattr(json.decoder, "scanstring")

_SPACE = re.compile(r"[ \t\n\r]*")
# json.scanner.NUMBER_RE, with ASCII digits only as the C scanner has them
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
# what Python's json accepts beyond RFC 8259, and reads as floats
_NON_FINITE = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
_WORDS = {"true": True, "false": False, "null": None}
_WORD = re.compile(r"-?[A-Za-z]+")
_COMMENT = re.compile(r"//([^\r\n]*)|#([^\r\n]*)|/\*(.*?)\*/", re.S)



def _blank_end(text: str, at: int) -> int:
    """Where the blanks from `at` end (`_SPACE` matches everywhere, possibly nothing)."""
    match = _SPACE.match(text, at)
    return match.end() if match is not None else at


class _Scanner:
    def __init__(self, path: str, text: str, lenient: bool):
        self.path = path
        self.text = text
        self.lenient = lenient
        self.lines = LineIndex(text)
        self.comments: list[Comment] = []
        self.diagnostics: list[Diagnostic] = []

    # -- positions and errors -------------------------------------------------
    def problem(self, message: str, offset: int, code: str = "SL001") -> LoadProblem:
        return LoadProblem(code, message, self.lines.mark(min(offset, len(self.text))))

    def expected(self, what: str, offset: int) -> LoadProblem:
        found = self.text[offset:offset + 1]
        got = f"found {found!r}" if found else "the file ends"
        return self.problem(f"cannot parse JSON: expected {what}, {got}", offset)

    # -- blanks ---------------------------------------------------------------
    def skip(self, at: int) -> int:
        """Skip blanks (and comments when lenient); the offset of the next token."""
        text = self.text
        at = _blank_end(text, at)
        if not self.lenient:
            return at
        while text.startswith(("/", "#"), at):
            match = _COMMENT.match(text, at)
            if match is None:
                if text.startswith("/*", at):
                    raise self.problem("cannot parse JSON: a /* comment is never closed", at)
                raise self.expected("a value", at)
            body = next(g for g in match.groups() if g is not None)
            self.comments.append(make_comment(text, self.lines, at, body))
            at = _blank_end(text, match.end())
        return at

    # -- values ---------------------------------------------------------------
    def value(self, at: int, depth: int) -> tuple[Node, int]:
        text = self.text
        char = text[at:at + 1]
        if char == "{":
            return self.mapping(at, depth + 1)
        if char == "[":
            return self.sequence(at, depth + 1)
        if char == '"':
            return self.string(at)
        number = _NUMBER.match(text, at)
        if number is not None:
            return self.number(number)
        word = _WORD.match(text, at)
        if word is not None:
            name = word.group()
            if name in _WORDS:
                return self.scalar(_WORDS[name], at, word.end()), word.end()
            if name in _NON_FINITE:
                node = self.scalar(_NON_FINITE[name], at, word.end())
                self.diagnostics.append(
                    loader_diagnostic(
                        self.path,
                        "SL004",
                        f"{name} is not a JSON number (non-finite); Python reads it as a float "
                        "NaN or infinity, strict parsers refuse the file",
                        node,
                    )
                )
                return node, word.end()
        raise self.expected("a value", at)

    def scalar(self, value: object, start: int, end: int, style: Optional[str] = None) -> ScalarNode:
        return ScalarNode(value, self.text[start:end], self.lines.span(start, end), style)

    def string(self, at: int) -> tuple[ScalarNode, int]:
        try:
            value, end = scanstring(self.text, at + 1, True)
        except JSONDecodeError as error:
            reason = error.msg.removesuffix(" at").removesuffix(" starting")
            raise self.problem(f"cannot parse JSON: {reason[0].lower()}{reason[1:]}", error.pos) from None
        return self.scalar(value, at, end, '"'), end

    def number(self, match: re.Match[str]) -> tuple[ScalarNode, int]:
        integer, fraction, exponent = match.groups()
        start, end = match.span()
        if fraction or exponent:
            value = float(integer + (fraction or "") + (exponent or ""))
        else:
            try:
                value = int(integer)
            except ValueError:  # longer than sys.get_int_max_str_digits(); json.loads refuses it too
                raise self.problem(
                    f"cannot parse JSON: an integer of {len(integer):,} digits is over Python's limit", start
                ) from None
        node = self.scalar(value, start, end)
        if value in (float("inf"), float("-inf")):
            self.diagnostics.append(
                loader_diagnostic(
                    self.path, "SL004", f"{excerpt(node.text)} is too large for a float (non-finite)", node
                )
            )
        return node, end

    def sequence(self, start: int, depth: int) -> tuple[SequenceNode, int]:
        if depth > MAX_DEPTH:
            raise self.problem(f"nesting is deeper than {MAX_DEPTH} levels (nesting depth cap)", start)
        items = []
        at = self.skip(start + 1)
        while self.text[at:at + 1] != "]":
            item, at = self.value(at, depth)
            items.append(item)
            at = self.skip(at)
            if self.text[at:at + 1] == ",":
                at = self.skip(at + 1)
                if not self.lenient and self.text[at:at + 1] == "]":
                    raise self.expected("a value after ','", at)
            elif self.text[at:at + 1] != "]":
                raise self.expected("',' or ']'", at)
        end = at + 1
        return SequenceNode(tuple(items), self.lines.span(start, end), True), end

    def mapping(self, start: int, depth: int) -> tuple[MappingNode, int]:
        if depth > MAX_DEPTH:
            raise self.problem(f"nesting is deeper than {MAX_DEPTH} levels (nesting depth cap)", start)
        pairs = []
        first_keys: dict[str, ScalarNode] = {}
        text = self.text
        at = self.skip(start + 1)
        while text[at:at + 1] != "}":
            if text[at:at + 1] != '"':
                raise self.expected("a key in double quotes", at)
            key, at = self.string(at)
            at = self.skip(at)
            if text[at:at + 1] != ":":
                raise self.expected("':' after the key", at)
            value, at = self.value(self.skip(at + 1), depth)
            first = first_keys.setdefault(key.value, key)
            if first is not key:
                self.duplicate(key, first)
            pairs.append((key, value))
            at = self.skip(at)
            if text[at:at + 1] == ",":
                at = self.skip(at + 1)
                if not self.lenient and text[at:at + 1] == "}":
                    raise self.expected("a key after ','", at)
            elif text[at:at + 1] != "}":
                raise self.expected("',' or '}'", at)
        end = at + 1
        return MappingNode(tuple(pairs), self.lines.span(start, end), True), end

    def duplicate(self, key: ScalarNode, first: ScalarNode) -> None:
        line, column = first.span.start.line, first.span.start.column
        self.diagnostics.append(
            loader_diagnostic(
                self.path,
                "SL002",
                f"duplicate key {excerpt(key.text)} (first on line {line}): Python's json keeps the last "
                "value silently, DeepSpeed refuses the file",
                key,
                related=(Location(self.path, line, column, "first defined here"),),
            )
        )

    def document(self) -> Optional[Node]:
        at = self.skip(0)
        if at == len(self.text):
            return None  # empty (or only comments): not a config, not an error
        root, at = self.value(at, 0)
        at = self.skip(at)
        if at != len(self.text):
            raise self.problem("cannot parse JSON: more data after the top-level value", at)
        return root


def parse_json(path: str, text: str, lenient: bool = True) -> Parsed:
    """`text` as JSON nodes. Strict mode (`lenient=False`) accepts what `json.loads` accepts."""
    scanner = _Scanner(path, text, lenient)
    try:
        root = scanner.document()
    except LoadProblem as problem:
        return failed(path, problem)
    return Parsed(root, tuple(scanner.comments), tuple(scanner.diagnostics))
