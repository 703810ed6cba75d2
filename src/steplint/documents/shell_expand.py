"""Expanding lexed words as bash would, without running anything: literal assignments are
replayed top to bottom (strings, arrays, `+=`, `$((...))` integer arithmetic); what depends
on the environment or a command stays *unresolved*, character by character.
"""

from __future__ import annotations

import re
from typing import Optional, Union

from steplint._namedtuple import NamedTuple

from steplint.documents.shell_lexer import ASSIGNMENT, Part, Word

_MAX_ARITH_TOKENS = 64  # also bounds the recursion of the arithmetic parser
_BRACED_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ARITH_TOKEN = re.compile(r"\s*(?:(\d[\d_]*)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/%()]))")


class Char(NamedTuple):
    """One character of an expanded value: where it came from and how it may be split."""

    ch: str
    offset: int  # -1 when synthesized (arithmetic results)
    split: bool  # whitespace here separates words (unquoted expansion)
    unresolved: bool = False


BREAK = Char("", -1, True)  # a forced word boundary (array elements)
# `$((...))` tokens: integers, and the operators and parentheses as written.
_ArithToken = Union[int, str]


class Expander:
    """Replays literal assignments and expands words; never runs anything."""

    def __init__(self, text: str):
        self.text = text
        self.scalars: dict[str, list[Char]] = {}
        self.arrays: dict[str, list[list[Char]]] = {}

    # words -> chars
    def word_chars(self, word: Word, *, quoted: bool = False) -> list[Char]:
        out: list[Char] = []
        for part in word.parts:
            out.extend(self.part_chars(part, quoted=quoted))
        return out

    def part_chars(self, part: Part, *, quoted: bool) -> list[Char]:
        if part.kind == "lit":
            if len(part.text) == part.end - part.start:
                return [Char(c, part.start + i, False) for i, c in enumerate(part.text)]
            return [Char(c, -1, False) for c in part.text]
        if part.kind == "squote":
            return [Char(c, part.start + i, False) for i, c in enumerate(part.text)]
        if part.kind == "dquote":
            out: list[Char] = []
            for inner in part.inner:
                out.extend(self.part_chars(inner, quoted=True))
            return out
        if part.kind == "var":
            return self._variable(part.text, part, quoted=quoted)
        if part.kind == "brace":
            return self._brace(part, quoted=quoted)
        if part.kind == "arith":
            value = self._arithmetic(part.text)
            if value is None:
                return self._unresolved(part)
            return [Char(c, -1, False) for c in str(value)]
        return self._unresolved(part)  # command substitution

    def _unresolved(self, part: Part) -> list[Char]:
        raw_start = part.end + (len(part.raw) - (part.end - part.start)) // 2 - len(part.raw) \
            if part.kind in ("brace", "arith") else part.start - (2 if part.raw.startswith("$(") else 1)
        return [Char(c, raw_start + i, False, True) for i, c in enumerate(part.raw)]

    def _variable(self, name: str, part: Part, *, quoted: bool) -> list[Char]:
        if name in self.scalars:
            return [Char(c.ch, c.offset, not quoted, c.unresolved) for c in self.scalars[name]]
        if name in self.arrays:  # $ARR is its first element
            first = self.arrays[name][0] if self.arrays[name] else []
            return [Char(c.ch, c.offset, not quoted, c.unresolved) for c in first]
        return self._unresolved(part)

    def _brace(self, part: Part, *, quoted: bool) -> list[Char]:
        inner = part.text
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\[([@*])\]", inner)
        if m and m.group(1) in self.arrays:
            out: list[Char] = []
            for element in self.arrays[m.group(1)]:
                if out:
                    out.append(BREAK)
                out.extend(Char(c.ch, c.offset, not quoted and c.split, c.unresolved) for c in element)
            return out
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)((?::?[-=]).*)?", inner, re.S)
        if m and (m.group(1) in self.scalars or m.group(1) in self.arrays):
            # `${X}`, and `${X:-default}` / `${X:=default}` of a variable the script sets
            return self._variable(m.group(1), part, quoted=quoted)
        return self._unresolved(part)

    def _arithmetic(self, expression: str) -> Optional[int]:
        """Integer `$((...))` with + - * / % ** and parentheses over literal variables."""
        tokens: list[_ArithToken] = []
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
    def assign(self, word: Word) -> bool:
        """Record `NAME=value` / `NAME+=value`; False when the word is not an assignment."""
        first = word.parts[0] if word.parts else None
        if first is None or first.kind != "lit":
            return False
        m = ASSIGNMENT.match(first.text)
        if not m:
            return False
        rest = first.text[m.end():]
        offset = first.start + m.end() if len(first.text) == first.end - first.start else -1
        head: list[Char] = [Char(c, offset + i if offset >= 0 else -1, False) for i, c in enumerate(rest)]
        tail = [c for part in word.parts[1:] for c in self.part_chars(part, quoted=True)]
        value = head + tail
        name = m.group(1)
        if m.group(2) and name in self.scalars:
            value = self.scalars[name] + value
        self.scalars[name] = value
        self.arrays.pop(name, None)
        return True

    def assign_array(self, name: str, append: bool, elements: tuple[Word, ...]) -> None:
        values: list[list[Char]] = []
        for element in elements:
            values.extend(split_words(self.word_chars(element)))
        if append and name in self.arrays:
            values = self.arrays[name] + values
        self.arrays[name] = values
        self.scalars.pop(name, None)


def _arith_sum(tokens: list[_ArithToken]) -> tuple[int, list[_ArithToken]]:
    value, tokens = _arith_product(tokens)
    while tokens and tokens[0] in ("+", "-"):
        op = tokens[0]
        rhs, tokens = _arith_product(tokens[1:])
        value = value + rhs if op == "+" else value - rhs
    return value, tokens


def _arith_product(tokens: list[_ArithToken]) -> tuple[int, list[_ArithToken]]:
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


def _arith_power(tokens: list[_ArithToken]) -> tuple[int, list[_ArithToken]]:
    base, tokens = _arith_unary(tokens)
    if tokens and tokens[0] == "**":
        exponent, tokens = _arith_power(tokens[1:])
        if exponent < 0 or exponent > 64:
            raise ValueError("exponent out of range")
        return base ** exponent, tokens
    return base, tokens


def _arith_unary(tokens: list[_ArithToken]) -> tuple[int, list[_ArithToken]]:
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


def split_words(chars: list[Char]) -> list[list[Char]]:
    """Bash word splitting: whitespace from unquoted expansions and forced breaks."""
    words: list[list[Char]] = []
    current: list[Char] = []
    started = False
    for c in chars:
        if c is BREAK or (c.split and c.ch in " \t\n"):
            if current or (started and c is BREAK):
                words.append(current)
            current, started = [], False
            continue
        current.append(c)
        started = True
    if current:
        words.append(current)
    return words
