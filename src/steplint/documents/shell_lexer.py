"""Lexing a bash script into statements of words, the way bash tokenizes (quotes, escapes,
line continuations, comments, heredocs); nothing is executed. documents/shell.py reads the
words; shell_expand.py expands them.
"""

from __future__ import annotations

import re
from typing import Union

from steplint._namedtuple import NamedTuple

from steplint.documents.nodes import Comment
from steplint.documents.positions import LineIndex

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?)=")


class Part(NamedTuple):
    """A piece of a lexed word: literal text, a quoted string or an expansion."""

    kind: str  # "lit" | "squote" | "dquote" | "var" | "brace" | "arith" | "cmd"
    text: str  # literal content, or the expansion's inner text
    start: int  # offset of the content in the script
    end: int
    raw: str  # the source text of the whole part
    inner: tuple[Part, ...] = ()  # dquote: nested parts


class Word(NamedTuple):
    parts: tuple[Part, ...]
    start: int
    end: int


class ArrayAssignment(NamedTuple):
    """`NAME=(a b c)` or `NAME+=(...)`: the array's element words."""

    name: str
    append: bool
    elements: tuple[Word, ...]
    start: int
    end: int


class Redirect(NamedTuple):
    """A redirection operator (`<`, `>`, `>>`, `>&`, ...): the next word is its target."""


class HeredocMarker(NamedTuple):
    """Where a `<<DELIM` stood among the words; `body` is its place in Statement.heredocs."""

    body: int


# What a statement is made of: words, and the operators the readers need to see.
Token = Union[Word, ArrayAssignment, Redirect, HeredocMarker]


class HeredocBody(NamedTuple):
    delimiter: str
    start: int  # offsets of the body in the script
    end: int
    quoted: bool  # a quoted delimiter: the body is not expanded


class Statement(NamedTuple):
    words: tuple[Token, ...]
    heredocs: tuple[HeredocBody, ...] = ()


class Lexer:
    """Split a script into statements of words, the way bash tokenizes (no execution)."""

    def __init__(self, text: str, index: LineIndex):
        self.text = text
        self.index = index
        self.pos = 0
        self.comments: list[Comment] = []

    def statements(self) -> list[Statement]:
        out: list[Statement] = []
        words: list[Token] = []
        pending: list[tuple[str, bool, bool]] = []  # heredoc (delimiter, quoted, strip_tabs) awaiting the newline
        bodies: list[HeredocBody] = []
        text = self.text
        n = len(text)
        while self.pos < n:
            ch = text[self.pos]
            if ch == "\\" and text.startswith("\n", self.pos + 1):
                self.pos += 2
                continue
            if ch in " \t\r":
                self.pos += 1
                continue
            if ch == "#":
                self._comment()
                continue
            if ch == "\n" or ch == ";" or ch in "|&" or ch in "()":
                if ch == "\n":
                    self.pos += 1
                    for delimiter, quoted, strip in pending:
                        bodies.append(self._heredoc_body(delimiter, quoted, strip))
                    pending = []
                elif ch == "(" and words and isinstance(words[-1], Word) and self._is_array_start(words[-1]):
                    words[-1] = self._array(words[-1])
                    continue
                else:
                    self.pos += 1
                if ch in "\n;|&()":
                    if words or bodies:
                        out.append(Statement(tuple(words), tuple(bodies)))
                    words, bodies = [], []
                continue
            if text.startswith("<<", self.pos) and not text.startswith("<<<", self.pos):
                self.pos += 2
                strip = text.startswith("-", self.pos)
                if strip:
                    self.pos += 1
                while self.pos < n and text[self.pos] in " \t":
                    self.pos += 1
                word = self._word()
                delimiter = "".join(p.text for p in word.parts)
                quoted = any(p.kind in ("squote", "dquote") for p in word.parts)
                pending.append((delimiter, quoted, strip))
                words.append(HeredocMarker(len(pending) - 1 + len(bodies)))
                continue
            if ch in "<>":
                self.pos += 1
                if self.pos < n and text[self.pos] in "<>&":
                    self.pos += 1
                words.append(Redirect())
                continue
            words.append(self._word())
        if words or bodies:
            out.append(Statement(tuple(words), tuple(bodies)))
        return out

    def _is_array_start(self, word: Word) -> bool:
        last = word.parts[-1] if word.parts else None
        return (
            word.end == self.pos
            and len(word.parts) == 1
            and last is not None
            and last.kind == "lit"
            and ASSIGNMENT.fullmatch(last.text) is not None
        )

    def _array(self, word: Word) -> ArrayAssignment:
        m = ASSIGNMENT.fullmatch(word.parts[0].text)
        assert m is not None
        self.pos += 1  # "("
        elements: list[Word] = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "\\" and text.startswith("\n", self.pos + 1):
                self.pos += 2
            elif ch in " \t\r\n":
                self.pos += 1
            elif ch == "#":
                self._comment()
            elif ch == ")":
                self.pos += 1
                break
            elif ch in ";|&(<>":
                self.pos += 1  # not valid inside an array: skipped, never looped on
            else:
                elements.append(self._word())
        return ArrayAssignment(m.group(1), bool(m.group(2)), tuple(elements), word.start, self.pos)

    def _comment(self) -> None:
        text = self.text
        start = self.pos
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line_start = text.rfind("\n", 0, start) + 1
        mark = self.index.mark(start)
        self.comments.append(
            Comment(text=text[start + 1:end], line=mark.line, column=mark.column,
                    own_line=text[line_start:start].strip() == "")
        )
        self.pos = end

    def _heredoc_body(self, delimiter: str, quoted: bool, strip: bool) -> HeredocBody:
        text = self.text
        start = self.pos
        while self.pos < len(text):
            end = text.find("\n", self.pos)
            end = len(text) if end < 0 else end
            line = text[self.pos:end]
            if (line.lstrip("\t") if strip else line).rstrip("\r") == delimiter:
                body_end = self.pos
                self.pos = min(end + 1, len(text))
                return HeredocBody(delimiter, start, body_end, quoted)
            self.pos = end + 1
        return HeredocBody(delimiter, start, len(text), quoted)

    def _word(self) -> Word:
        text = self.text
        start = self.pos
        parts: list[Part] = []
        lit_start = self.pos
        lit: list[str] = []

        def flush() -> None:
            nonlocal lit
            if lit:
                parts.append(Part("lit", "".join(lit), lit_start, self.pos, text[lit_start:self.pos]))
            lit = []

        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r\n;|&()<>":
                break
            if ch == "\\":
                if text.startswith("\n", self.pos + 1):
                    flush()
                    self.pos += 2
                    lit_start = self.pos
                    continue
                if not lit:
                    lit_start = self.pos
                lit.append(text[self.pos + 1:self.pos + 2])
                self.pos += 2
                continue
            if ch in "'\"$`":
                flush()
                parts.append(self.quoted_or_expansion())
                lit_start = self.pos
                continue
            if not lit:
                lit_start = self.pos
            lit.append(ch)
            self.pos += 1
        flush()
        return Word(tuple(parts), start, self.pos)

    def quoted_or_expansion(self) -> Part:
        text = self.text
        start = self.pos
        ch = text[start]
        if ch == "'":
            end = text.find("'", start + 1)
            end = len(text) if end < 0 else end
            self.pos = min(end + 1, len(text))
            return Part("squote", text[start + 1:end], start + 1, end, text[start:self.pos])
        if ch == '"':
            self.pos += 1
            inner: list[Part] = []
            lit: list[str] = []
            lit_start = self.pos
            while self.pos < len(text) and text[self.pos] != '"':
                c = text[self.pos]
                if c == "\\" and self.pos + 1 < len(text) and text[self.pos + 1] in '$`"\\\n':
                    if lit:
                        inner.append(Part("lit", "".join(lit), lit_start, self.pos, text[lit_start:self.pos]))
                        lit = []
                    if text[self.pos + 1] != "\n":
                        inner.append(Part("lit", text[self.pos + 1], self.pos + 1, self.pos + 2,
                                           text[self.pos:self.pos + 2]))
                    self.pos += 2
                    lit_start = self.pos
                    continue
                if c in "$`":
                    if lit:
                        inner.append(Part("lit", "".join(lit), lit_start, self.pos, text[lit_start:self.pos]))
                        lit = []
                    inner.append(self.quoted_or_expansion())
                    lit_start = self.pos
                    continue
                if not lit:
                    lit_start = self.pos
                lit.append(c)
                self.pos += 1
            if lit:
                inner.append(Part("lit", "".join(lit), lit_start, self.pos, text[lit_start:self.pos]))
            end = self.pos
            self.pos = min(self.pos + 1, len(text))
            return Part("dquote", text[start + 1:end], start + 1, end, text[start:self.pos], tuple(inner))
        if ch == "`":
            end = text.find("`", start + 1)
            end = len(text) if end < 0 else end
            self.pos = min(end + 1, len(text))
            return Part("cmd", text[start + 1:end], start + 1, end, text[start:self.pos])
        # "$"
        if text.startswith("$((", start):
            end = _matching(text, start + 1, "(", ")")
            self.pos = end
            return Part("arith", text[start + 3:end - 2], start + 3, end - 2, text[start:end])
        if text.startswith("$(", start):
            end = _matching(text, start + 1, "(", ")")
            self.pos = end
            return Part("cmd", text[start + 2:end - 1], start + 2, end - 1, text[start:end])
        if text.startswith("${", start):
            end = _matching(text, start + 1, "{", "}")
            self.pos = end
            return Part("brace", text[start + 2:end - 1], start + 2, end - 1, text[start:end])
        m = _NAME.match(text, start + 1)
        if m:
            self.pos = m.end()
            return Part("var", m.group(), start + 1, m.end(), text[start:m.end()])
        if start + 1 < len(text) and (text[start + 1].isdigit() or text[start + 1] in "@*#?$!-"):
            self.pos = start + 2
            return Part("var", text[start + 1], start + 1, start + 2, text[start:start + 2])
        self.pos = start + 1
        return Part("lit", "$", start, start + 1, "$")


def _matching(text: str, open_at: int, opener: str, closer: str) -> int:
    """Offset just past the bracket closing the one at `open_at` (quotes are skipped)."""
    depth = 0
    i = open_at
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'" and opener != "{":
            j = text.find("'", i + 1)
            i = len(text) if j < 0 else j + 1
            continue
        if c == opener:
            depth += 1
        elif c == closer:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)
