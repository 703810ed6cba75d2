"""Launch scripts (`.sh`, `.slurm`, `.bash`) read as the argument list they pass to Python.

Megatron-LM and Megatron-DeepSpeed runs are configured by the `--flag value` words a bash
script hands to `pretrain_gpt.py`, usually through arrays and string variables. This module
reads a script statically: it lexes words the way bash does (quotes, escapes, line
continuations, comments, heredocs), replays literal assignments top to bottom (strings,
arrays, `+=`, `$((...))` integer arithmetic) and expands the launch command. Nothing is
executed and no environment is read: a value that depends on the environment, a command
substitution, a positional parameter or `${VAR:-default}` of an unset variable is kept as
*unresolved* (tag `UNRESOLVED`), so a dialect can report SL007 instead of guessing.

The Document's root maps each script flag as written (`--lr`) to its value node, whose span
is the exact source text of the value, wherever it was written (in the flag list, or in the
`LR=...` assignment it came through), so a fix can splice it. Flags without a value map to
True. Three extra root keys carry what is not a script flag: `program` (the launched
`*.py`), `launcher` (torchrun / deepspeed options before it) and `sbatch` (`#SBATCH`
directives). Heredocs are available through `heredocs(doc)` for DeepSpeed JSON written by the
script.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple, Optional

from steplint.diagnostics import Mark, Span
from steplint.documents.nodes import Comment, Document, MappingNode, ScalarNode, SequenceNode

# ScalarNode.tag of a value that could not be resolved statically.
UNRESOLVED = "!unresolved"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?)=")
_PROGRAM = re.compile(r"(?:^|/)([A-Za-z0-9_.-]+\.py)$")
# `-1`, `-.5` and `-1e-3` are values, not flags.
_NEGATIVE_NUMBER = re.compile(r"-\.?[0-9]")
_DECLARATION_WORDS = frozenset({"export", "local", "declare", "readonly", "typeset"})
_MAX_ARITH_TOKENS = 64  # also bounds the recursion of the arithmetic parser
_BRACED_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ARITH_TOKEN = re.compile(r"\s*(?:(\d[\d_]*)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/%()]))")


class _Char(NamedTuple):
    """One character of an expanded value: where it came from and how it may be split."""

    ch: str
    offset: int  # -1 when synthesized (arithmetic results)
    split: bool  # whitespace here separates words (unquoted expansion)
    unresolved: bool = False


_BREAK = _Char("", -1, True)  # a forced word boundary (array elements)


class _Part(NamedTuple):
    """A piece of a lexed word: literal text, a quoted string or an expansion."""

    kind: str  # "lit" | "squote" | "dquote" | "var" | "brace" | "arith" | "cmd"
    text: str  # literal content, or the expansion's inner text
    start: int  # offset of the content in the script
    end: int
    raw: str  # the source text of the whole part
    inner: tuple = ()  # dquote: nested parts


class _Word(NamedTuple):
    parts: tuple[_Part, ...]
    start: int
    end: int


class Heredoc(NamedTuple):
    """Text a script writes through `cat <<EOT > target`, with variables expanded."""

    target: str  # the redirection target as written (may hold unresolved variables)
    text: str
    line: int  # line of the `<<` operator
    span: Span  # of the body
    unresolved: tuple[str, ...] = ()


class _Statement(NamedTuple):
    words: tuple  # _Word, or ("array", name, append, tuple[_Word, ...], start, end)
    heredocs: tuple = ()  # (delimiter, body_start, body_end, quoted)


class _Script(NamedTuple):
    statements: tuple[_Statement, ...]
    comments: tuple[Comment, ...]


class _LineIndex:
    def __init__(self, text: str):
        self.starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(i + 1)

    def mark(self, offset: int) -> Mark:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return Mark(line=lo + 1, column=offset - self.starts[lo] + 1, offset=offset)

    def span(self, start: int, end: int) -> Span:
        return Span(self.mark(start), self.mark(end))


# ---------------------------------------------------------------------------------------
# Lexing


class _Lexer:
    """Split a script into statements of words, the way bash tokenizes (no execution)."""

    def __init__(self, text: str, index: _LineIndex):
        self.text = text
        self.index = index
        self.pos = 0
        self.comments: list[Comment] = []

    def statements(self) -> list[_Statement]:
        out: list[_Statement] = []
        words: list = []
        pending: list = []  # heredoc (delimiter, quoted, strip_tabs) awaiting the newline
        bodies: list = []
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
                elif ch == "(" and words and isinstance(words[-1], _Word) and self._is_array_start(words[-1]):
                    words[-1] = self._array(words[-1])
                    continue
                else:
                    self.pos += 1
                if ch in "\n;|&()":
                    if words or bodies:
                        out.append(_Statement(tuple(words), tuple(bodies)))
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
                words.append(("heredoc", len(pending) - 1 + len(bodies)))
                continue
            if ch in "<>":
                self.pos += 1
                if self.pos < n and text[self.pos] in "<>&":
                    self.pos += 1
                words.append(("redirect",))
                continue
            words.append(self._word())
        if words or bodies:
            out.append(_Statement(tuple(words), tuple(bodies)))
        return out

    def _is_array_start(self, word: _Word) -> bool:
        last = word.parts[-1] if word.parts else None
        return (
            word.end == self.pos
            and len(word.parts) == 1
            and last is not None
            and last.kind == "lit"
            and _ASSIGNMENT.fullmatch(last.text) is not None
        )

    def _array(self, word: _Word):
        m = _ASSIGNMENT.fullmatch(word.parts[0].text)
        assert m is not None
        self.pos += 1  # "("
        elements: list[_Word] = []
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
        return ("array", m.group(1), bool(m.group(2)), tuple(elements), word.start, self.pos)

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

    def _heredoc_body(self, delimiter: str, quoted: bool, strip: bool):
        text = self.text
        start = self.pos
        while self.pos < len(text):
            end = text.find("\n", self.pos)
            end = len(text) if end < 0 else end
            line = text[self.pos:end]
            if (line.lstrip("\t") if strip else line).rstrip("\r") == delimiter:
                body_end = self.pos
                self.pos = min(end + 1, len(text))
                return (delimiter, start, body_end, quoted)
            self.pos = end + 1
        return (delimiter, start, len(text), quoted)

    def _word(self) -> _Word:
        text = self.text
        start = self.pos
        parts: list[_Part] = []
        lit_start = self.pos
        lit: list[str] = []

        def flush() -> None:
            nonlocal lit, lit_start
            if lit:
                parts.append(_Part("lit", "".join(lit), lit_start, self.pos, text[lit_start:self.pos]))
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
                parts.append(self._quoted_or_expansion())
                lit_start = self.pos
                continue
            if not lit:
                lit_start = self.pos
            lit.append(ch)
            self.pos += 1
        flush()
        return _Word(tuple(parts), start, self.pos)

    def _quoted_or_expansion(self) -> _Part:
        text = self.text
        start = self.pos
        ch = text[start]
        if ch == "'":
            end = text.find("'", start + 1)
            end = len(text) if end < 0 else end
            self.pos = min(end + 1, len(text))
            return _Part("squote", text[start + 1:end], start + 1, end, text[start:self.pos])
        if ch == '"':
            self.pos += 1
            inner: list[_Part] = []
            lit: list[str] = []
            lit_start = self.pos
            while self.pos < len(text) and text[self.pos] != '"':
                c = text[self.pos]
                if c == "\\" and self.pos + 1 < len(text) and text[self.pos + 1] in '$`"\\\n':
                    if lit:
                        inner.append(_Part("lit", "".join(lit), lit_start, self.pos, text[lit_start:self.pos]))
                        lit = []
                    if text[self.pos + 1] != "\n":
                        inner.append(_Part("lit", text[self.pos + 1], self.pos + 1, self.pos + 2,
                                           text[self.pos:self.pos + 2]))
                    self.pos += 2
                    lit_start = self.pos
                    continue
                if c in "$`":
                    if lit:
                        inner.append(_Part("lit", "".join(lit), lit_start, self.pos, text[lit_start:self.pos]))
                        lit = []
                    inner.append(self._quoted_or_expansion())
                    lit_start = self.pos
                    continue
                if not lit:
                    lit_start = self.pos
                lit.append(c)
                self.pos += 1
            if lit:
                inner.append(_Part("lit", "".join(lit), lit_start, self.pos, text[lit_start:self.pos]))
            end = self.pos
            self.pos = min(self.pos + 1, len(text))
            return _Part("dquote", text[start + 1:end], start + 1, end, text[start:self.pos], tuple(inner))
        if ch == "`":
            end = text.find("`", start + 1)
            end = len(text) if end < 0 else end
            self.pos = min(end + 1, len(text))
            return _Part("cmd", text[start + 1:end], start + 1, end, text[start:self.pos])
        # "$"
        if text.startswith("$((", start):
            end = _matching(text, start + 1, "(", ")")
            self.pos = end
            return _Part("arith", text[start + 3:end - 2], start + 3, end - 2, text[start:end])
        if text.startswith("$(", start):
            end = _matching(text, start + 1, "(", ")")
            self.pos = end
            return _Part("cmd", text[start + 2:end - 1], start + 2, end - 1, text[start:end])
        if text.startswith("${", start):
            end = _matching(text, start + 1, "{", "}")
            self.pos = end
            return _Part("brace", text[start + 2:end - 1], start + 2, end - 1, text[start:end])
        m = _NAME.match(text, start + 1)
        if m:
            self.pos = m.end()
            return _Part("var", m.group(), start + 1, m.end(), text[start:m.end()])
        if start + 1 < len(text) and (text[start + 1].isdigit() or text[start + 1] in "@*#?$!-"):
            self.pos = start + 2
            return _Part("var", text[start + 1], start + 1, start + 2, text[start:start + 2])
        self.pos = start + 1
        return _Part("lit", "$", start, start + 1, "$")


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


# ---------------------------------------------------------------------------------------
# Expansion


class _Expander:
    """Replays literal assignments and expands words; never runs anything."""

    def __init__(self, text: str):
        self.text = text
        self.scalars: dict[str, list[_Char]] = {}
        self.arrays: dict[str, list[list[_Char]]] = {}

    # words -> chars
    def word_chars(self, word: _Word, *, quoted: bool = False) -> list[_Char]:
        out: list[_Char] = []
        for part in word.parts:
            out.extend(self._part_chars(part, quoted=quoted))
        return out

    def _part_chars(self, part: _Part, *, quoted: bool) -> list[_Char]:
        if part.kind == "lit":
            if len(part.text) == part.end - part.start:
                return [_Char(c, part.start + i, False) for i, c in enumerate(part.text)]
            return [_Char(c, -1, False) for c in part.text]
        if part.kind == "squote":
            return [_Char(c, part.start + i, False) for i, c in enumerate(part.text)]
        if part.kind == "dquote":
            out: list[_Char] = []
            for inner in part.inner:
                out.extend(self._part_chars(inner, quoted=True))
            return out
        if part.kind == "var":
            return self._variable(part.text, part, quoted=quoted)
        if part.kind == "brace":
            return self._brace(part, quoted=quoted)
        if part.kind == "arith":
            value = self._arithmetic(part.text)
            if value is None:
                return self._unresolved(part)
            return [_Char(c, -1, False) for c in str(value)]
        return self._unresolved(part)  # command substitution

    def _unresolved(self, part: _Part) -> list[_Char]:
        raw_start = part.end + (len(part.raw) - (part.end - part.start)) // 2 - len(part.raw) \
            if part.kind in ("brace", "arith") else part.start - (2 if part.raw.startswith("$(") else 1)
        return [_Char(c, raw_start + i, False, True) for i, c in enumerate(part.raw)]

    def _variable(self, name: str, part: _Part, *, quoted: bool) -> list[_Char]:
        if name in self.scalars:
            return [_Char(c.ch, c.offset, not quoted, c.unresolved) for c in self.scalars[name]]
        if name in self.arrays:  # $ARR is its first element
            first = self.arrays[name][0] if self.arrays[name] else []
            return [_Char(c.ch, c.offset, not quoted, c.unresolved) for c in first]
        return self._unresolved(part)

    def _brace(self, part: _Part, *, quoted: bool) -> list[_Char]:
        inner = part.text
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\[([@*])\]", inner)
        if m and m.group(1) in self.arrays:
            out: list[_Char] = []
            for element in self.arrays[m.group(1)]:
                if out:
                    out.append(_BREAK)
                out.extend(_Char(c.ch, c.offset, not quoted and c.split, c.unresolved) for c in element)
            return out
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)((?::?[-=]).*)?", inner, re.S)
        if m and (m.group(1) in self.scalars or m.group(1) in self.arrays):
            # `${X}`, and `${X:-default}` / `${X:=default}` of a variable the script sets
            return self._variable(m.group(1), part, quoted=quoted)
        return self._unresolved(part)

    def _arithmetic(self, expression: str) -> Optional[int]:
        """Integer `$((...))` with + - * / % ** and parentheses over literal variables."""
        tokens: list = []
        pos = 0
        # `${NAME}` inside `$((...))` is the variable, as bash expands it first (the
        # Megatron-DeepSpeed MoE scripts write `$(( ${TRAIN_TOKENS} * 3 / ${GLOBAL_BATCH_SIZE} ))`)
        expression = _BRACED_NAME.sub(r"\1", expression.strip())
        while pos < len(expression):
            m = _ARITH_TOKEN.match(expression, pos)
            if not m or m.end() == pos:
                if expression[pos:].strip() == "":
                    break
                if expression[pos] == "$":
                    pos += 1
                    continue
                return None
            pos = m.end()
            if m.group(1):
                tokens.append(int(m.group(1).replace("_", "")))
            elif m.group(2):
                value = self._integer_variable(m.group(2))
                if value is None:
                    return None
                tokens.append(value)
            else:
                tokens.append(m.group(3))
        if len(tokens) > _MAX_ARITH_TOKENS:
            return None  # launch scripts multiply a few numbers; anything bigger is not read
        try:
            value, rest = _arith_sum(tokens)
        except (IndexError, ValueError, ZeroDivisionError, TypeError):
            return None
        return value if not rest else None

    def _integer_variable(self, name: str) -> Optional[int]:
        chars = self.scalars.get(name)
        if chars is None or any(c.unresolved for c in chars):
            return None
        text = "".join(c.ch for c in chars).strip()
        try:
            return int(text.replace("_", ""), 10)
        except ValueError:
            return None

    # statements
    def assign(self, word: _Word) -> bool:
        """Record `NAME=value` / `NAME+=value`; False when the word is not an assignment."""
        first = word.parts[0] if word.parts else None
        if first is None or first.kind != "lit":
            return False
        m = _ASSIGNMENT.match(first.text)
        if not m:
            return False
        rest = first.text[m.end():]
        offset = first.start + m.end() if len(first.text) == first.end - first.start else -1
        head: list[_Char] = [_Char(c, offset + i if offset >= 0 else -1, False) for i, c in enumerate(rest)]
        tail = [c for part in word.parts[1:] for c in self._part_chars(part, quoted=True)]
        value = head + tail
        name = m.group(1)
        if m.group(2) and name in self.scalars:
            value = self.scalars[name] + value
        self.scalars[name] = value
        self.arrays.pop(name, None)
        return True

    def assign_array(self, name: str, append: bool, elements: tuple[_Word, ...]) -> None:
        values: list[list[_Char]] = []
        for element in elements:
            values.extend(_split(self.word_chars(element)))
        if append and name in self.arrays:
            values = self.arrays[name] + values
        self.arrays[name] = values
        self.scalars.pop(name, None)

    def command_words(self, words) -> list[list[_Char]]:
        out: list[list[_Char]] = []
        for word in words:
            if isinstance(word, _Word):
                out.extend(_split(self.word_chars(word)))
        return out


def _arith_sum(tokens: list):
    value, tokens = _arith_product(tokens)
    while tokens and tokens[0] in ("+", "-"):
        op = tokens[0]
        rhs, tokens = _arith_product(tokens[1:])
        value = value + rhs if op == "+" else value - rhs
    return value, tokens


def _arith_product(tokens: list):
    value, tokens = _arith_power(tokens)
    while tokens and tokens[0] in ("*", "/", "%"):
        op = tokens[0]
        rhs, tokens = _arith_power(tokens[1:])
        if op == "*":
            value *= rhs
        elif op == "/":
            value = int(value / rhs)  # bash truncates toward zero
        else:
            value = value - rhs * int(value / rhs)
    return value, tokens


def _arith_power(tokens: list):
    base, tokens = _arith_unary(tokens)
    if tokens and tokens[0] == "**":
        exponent, tokens = _arith_power(tokens[1:])
        if exponent < 0 or exponent > 64:
            raise ValueError("exponent out of range")
        return base ** exponent, tokens
    return base, tokens


def _arith_unary(tokens: list):
    head = tokens[0]
    if head == "-":
        value, rest = _arith_unary(tokens[1:])
        return -value, rest
    if head == "+":
        return _arith_unary(tokens[1:])
    if head == "(":
        value, rest = _arith_sum(tokens[1:])
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced parenthesis")
        return value, rest[1:]
    if isinstance(head, int):
        return head, tokens[1:]
    raise ValueError(f"unexpected {head!r}")


def _split(chars: list[_Char]) -> list[list[_Char]]:
    """Bash word splitting: whitespace from unquoted expansions and forced breaks."""
    words: list[list[_Char]] = []
    current: list[_Char] = []
    started = False
    for c in chars:
        if c is _BREAK or (c.split and c.ch in " \t\n"):
            if current or (started and c is _BREAK):
                words.append(current)
            current, started = [], False
            continue
        current.append(c)
        started = True
    if current:
        words.append(current)
    return words


# ---------------------------------------------------------------------------------------
# Public entry points


class _Value(NamedTuple):
    text: str
    start: int
    end: int
    unresolved: bool


def _value(chars: list[_Char], site: tuple[int, int]) -> _Value:
    text = "".join(c.ch for c in chars)
    offsets = [c.offset for c in chars]
    unresolved = any(c.unresolved for c in chars)
    if offsets and offsets[0] >= 0 and all(b == a + 1 for a, b in zip(offsets, offsets[1:])):
        return _Value(text, offsets[0], offsets[-1] + 1, unresolved)
    return _Value(text, site[0], site[1], unresolved)


class _Launch(NamedTuple):
    program: _Value
    launcher: tuple[_Value, ...]
    arguments: tuple[_Value, ...]


class ShellScript(NamedTuple):
    launch: Optional[_Launch]
    heredocs: tuple[Heredoc, ...]
    comments: tuple[Comment, ...]
    sbatch: tuple[tuple[str, str, int, int], ...]  # (option, value, start, end)


def _is_flag(text: str) -> bool:
    return text.startswith("-") and len(text) > 1 and not _NEGATIVE_NUMBER.match(text)


@lru_cache(maxsize=32)
def read_script(text: str) -> ShellScript:
    """Lex, replay assignments and find the launch command of a script (cached per text)."""
    index = _LineIndex(text)
    lexer = _Lexer(text, index)
    statements = lexer.statements()
    expander = _Expander(text)
    candidates: list[tuple[int, bool, _Launch]] = []
    heredocs: list[Heredoc] = []
    for statement in statements:
        words = list(statement.words)
        while words and isinstance(words[0], _Word) and len(words[0].parts) == 1 and words[0].parts[0].kind == "lit" \
                and words[0].parts[0].text in _DECLARATION_WORDS:
            words.pop(0)
        assigned = False
        while words:
            head = words[0]
            if type(head) is tuple and head[0] == "array":  # a plain tuple, not a _Word (a NamedTuple)
                expander.assign_array(head[1], head[2], head[3])
                words.pop(0)
                assigned = True
            elif isinstance(head, _Word) and expander.assign(head):
                words.pop(0)
                assigned = True
                name = _ASSIGNMENT.match(head.parts[0].text).group(1)
                chars = expander.scalars[name]
                launch = _find_launch([_value(w, (head.start, head.end)) for w in _split(
                    [_Char(c.ch, c.offset, True, c.unresolved) for c in chars])])
                if launch:
                    candidates.append(launch)
            else:
                break
        if words:
            values: list[_Value] = []
            for word in words:
                if isinstance(word, _Word):
                    for chars in _split(expander.word_chars(word)):
                        values.append(_value(chars, (word.start, word.end)))
            launch = _find_launch(values)
            if launch:
                candidates.append(launch)
        elif not assigned:
            pass
        heredocs.extend(_heredocs(statement, expander, index))
    sbatch = tuple(_sbatch(lexer.comments, text))
    best = max(candidates, key=lambda c: (c[0], c[1]), default=None)
    return ShellScript(
        launch=best[2] if best else None,
        heredocs=tuple(heredocs),
        comments=tuple(lexer.comments),
        sbatch=sbatch,
    )


def _find_launch(values: list[_Value]):
    """(flags after the program, is pretrain_*, launch) for the `*.py` word with most flags."""
    best = None
    for i, value in enumerate(values):
        m = _PROGRAM.search(value.text)
        if not m:
            continue
        arguments = values[i + 1:]
        flags = sum(1 for a in arguments if _is_flag(a.text))
        if flags == 0:
            continue
        program = _Value(m.group(1), value.end - len(m.group(1)), value.end, False) \
            if value.end - value.start == len(value.text) else value
        launch = (flags, m.group(1).startswith("pretrain_"), _Launch(program, tuple(values[:i]), tuple(arguments)))
        if best is None or launch[:2] > best[:2]:
            best = launch
    return best


def _heredocs(statement: _Statement, expander: _Expander, index: _LineIndex):
    if not statement.heredocs:
        return
    target = ""
    words = list(statement.words)
    for i, word in enumerate(words):
        if type(word) is tuple and word[0] == "redirect" and i + 1 < len(words) and isinstance(words[i + 1], _Word):
            target = "".join(c.ch for c in expander.word_chars(words[i + 1]))
    for delimiter, start, end, quoted in statement.heredocs:
        body = expander.text[start:end]
        if quoted:
            text, unresolved = body, ()
        else:
            lexer = _Lexer(body, index)
            chars: list[_Char] = []
            names: list[str] = []
            lexer.pos = 0
            i = 0
            while i < len(body):
                c = body[i]
                if c == "\\" and i + 1 < len(body) and body[i + 1] in "$`\\":
                    chars.append(_Char(body[i + 1], start + i + 1, False))
                    i += 2
                    continue
                if c in "$`":
                    lexer.pos = i
                    part = lexer._quoted_or_expansion()
                    part = _Part(part.kind, part.text, part.start + start, part.end + start, part.raw, part.inner)
                    got = expander._part_chars(part, quoted=True)
                    if any(g.unresolved for g in got):
                        names.append(part.raw)
                    chars.extend(got)
                    i = lexer.pos
                    continue
                chars.append(_Char(c, start + i, False))
                i += 1
            text, unresolved = "".join(c.ch for c in chars), tuple(names)
        yield Heredoc(target=target, text=text, line=index.mark(start).line - 1, span=index.span(start, end),
                      unresolved=unresolved)


def _sbatch(comments: list[Comment], text: str):
    """`#SBATCH --nodes=24` directives as (option, value, start, end)."""
    index = _LineIndex(text)
    for comment in comments:
        if not comment.text.startswith("SBATCH"):
            continue
        start = index.starts[comment.line - 1] + comment.column  # just past '#'
        body = comment.text[len("SBATCH"):]
        stop = body.find("#")
        body = body if stop < 0 else body[:stop]
        pos = start + len("SBATCH")
        for m in re.finditer(r"(-{1,2}[A-Za-z0-9_-]+)(?:[= ]\s*([^\s-][^\s]*))?", body):
            value = m.group(2) or ""
            vstart = pos + (m.start(2) if m.group(2) else m.end(1))
            yield (m.group(1), value, vstart, vstart + len(value))


def load_shell(path: str, text: str) -> Document:
    """A launch script as a Document(kind="shell") of its program's flags (see module doc)."""
    script = read_script(text)
    index = _LineIndex(text)
    items: list[tuple[ScalarNode, object]] = []

    def scalar(value: _Value, *, as_value=None) -> ScalarNode:
        return ScalarNode(
            value=value.text if as_value is None else as_value,
            text=text[value.start:value.end],
            span=index.span(value.start, value.end),
            tag=UNRESOLVED if value.unresolved else None,
        )

    def flag_items(values: tuple[_Value, ...]):
        out = []
        i = 0
        while i < len(values):
            word = values[i]
            if not _is_flag(word.text):
                i += 1
                continue
            name, eq, inline = word.text.partition("=")
            if eq:
                key = _Value(name, word.start, word.start + len(name), False) \
                    if word.end - word.start == len(word.text) else word
                vstart = word.start + len(name) + 1 if key is not word else word.start
                value = _Value(inline, vstart, vstart + len(inline) if key is not word else word.end, word.unresolved)
                out.append((scalar(key), scalar(value)))
                i += 1
                continue
            j = i + 1
            while j < len(values) and not _is_flag(values[j].text):
                j += 1
            args = values[i + 1:j]
            key = scalar(word)
            if not args:
                node = ScalarNode(value=True, text=key.text, span=key.span)
            elif len(args) == 1:
                node = scalar(args[0])
            else:
                node = SequenceNode(tuple(scalar(a) for a in args),
                                    index.span(min(a.start for a in args), max(a.end for a in args)), flow=True)
            out.append((key, node))
            i = j
        return out

    if script.launch is not None:
        program = script.launch.program
        prog_key = ScalarNode("program", "", index.span(program.start, program.start))
        items.append((prog_key, scalar(program)))
        items.extend(flag_items(script.launch.arguments))
        launcher = flag_items(script.launch.launcher)
        if launcher:
            span = index.span(script.launch.launcher[0].start, script.launch.launcher[-1].end)
            items.append((ScalarNode("launcher", "", index.span(span.start.offset, span.start.offset)),
                          MappingNode(tuple(launcher), span)))
    if script.sbatch:
        pairs = []
        for option, value, start, end in script.sbatch:
            pairs.append((ScalarNode(option, option, index.span(start, start)),
                          ScalarNode(value, text[start:end], index.span(start, end))))
        first = script.sbatch[0][2]
        items.append((ScalarNode("sbatch", "", index.span(first, first)),
                      MappingNode(tuple(pairs), index.span(first, script.sbatch[-1][3]))))
    root = MappingNode(tuple(items), index.span(0, len(text)))
    return Document(
        path=path,
        text=text,
        kind="shell",
        root=root,
        newline="\r\n" if "\r\n" in text else "\n",
        comments=script.comments,
    )


def heredocs(doc: Document) -> tuple[Heredoc, ...]:
    """The heredocs of a shell Document, with literal variables expanded."""
    return read_script(doc.text).heredocs


def is_unresolved(node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == UNRESOLVED
