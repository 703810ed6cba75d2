"""Offsets to 1-based line/column marks for the loaders that scan text themselves (JSON,
TOML, comments). PyYAML gives marks of its own; these agree with them for `\\n` and
`\\r\\n` files (a column counts characters, and a `\\r` before `\\n` ends the line)."""

from __future__ import annotations

from bisect import bisect_right

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
