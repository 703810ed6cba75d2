"""Offsets to 1-based line/column marks for the loaders that scan text themselves (JSON,
TOML, comments). PyYAML gives marks of its own; these agree with them for `\\n` and
`\\r\\n` files (a column counts characters, and a `\\r` before `\\n` ends the line)."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Optional

from steplint.diagnostics import Mark, Span


class LineIndex:
    """Start offset of every line of one text, built once, then O(log n) per mark."""

    __slots__ = ("starts",)

    def __init__(self, text: str):
        starts = [0]
        find = text.find
        at = find("\n")
        while at != -1:
            starts.append(at + 1)
            at = find("\n", at + 1)
        self.starts = starts

    def mark(self, offset: int) -> Mark:
        line = bisect_right(self.starts, offset) - 1
        return Mark(line + 1, offset - self.starts[line] + 1, offset)

    def span(self, start: int, end: int) -> Span:
        return Span(self.mark(start), self.mark(end))


_BRACKET = re.compile(r"[\[\]{}]")


def too_deep_brackets(text: str, limit: int) -> Optional[int]:
    """Offset of the first `[` or `{` nested deeper than `limit`, or None.

    Parsers recurse once per level: libyaml's composer crashes the process near 100,000
    levels and takes seconds at 20,000, tomllib and Python's own recursion raise
    RecursionError, so depth is refused before parsing. Brackets inside strings count too,
    which can only over-count, and the scan runs only when there are enough brackets."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif depth:
            depth -= 1
    return None
