"""Comments with positions, for inline suppressions (`# steplint: ignore[SL302]`).

Loaders drop comments, so they are found in the text: a `#` that starts a line or follows
a blank starts a comment, except inside spans the caller knows are string content
(quoted and block scalars in YAML, strings in TOML). JSON's comments (lenient mode) are
collected by its scanner with `make_comment`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any, Iterable, Iterator, Optional, Sequence, Union, overload

from steplint.documents.nodes import Comment
from steplint.documents.positions import LineIndex

# YAML, TOML and shell agree: a comment is a `#` at the start of a line or after a blank.
_HASH_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#([^\r\n]*)", re.M)

_new = tuple.__new__  # a NamedTuple's own __new__ is a Python-level call; configs have hundreds of comments


def make_comment(text: str, lines: LineIndex, offset: int, body: str) -> Comment:
    """The comment whose marker starts at `offset`; `body` is its text after the marker."""
    mark = lines.mark(offset)
    line_start = lines.starts[mark.line - 1]
    own_line = not text[line_start:offset].strip()
    return Comment(body, mark.line, mark.column, own_line)


def hash_comments(text: str, skip: Iterable[tuple[int, int]] = ()) -> tuple[Comment, ...]:
    """Every `#` comment of `text` outside the `skip` spans ((start, end) offsets): a `#`
    at the start of a line or after a blank (what `_HASH_COMMENT` says), found with
    str.find, which is several times faster than the regex scanning every position.
    Comments often come in blocks of lines: when the one line break since the previous
    comment is the one that ended it, the line starts right after it (no search back)."""
    at = text.find("#")
    if at < 0:
        return ()
    spans = sorted(skip)
    starts = [s for s, _ in spans]
    found: list[Comment] = []
    add = found.append
    line, counted = 1, 0  # line number at offset `counted`; matches come in order
    ended = -1  # the `\n` that ended the previous comment's line (-1: none yet)
    find, count, rfind = text.find, text.count, text.rfind
    crlf = "\r" in text  # a body ends at a `\r` too; most files have none
    while at >= 0:
        if at and text[at - 1] not in " \t\n":
            at = find("#", at + 1)
            continue
        if spans:
            i = bisect_right(starts, at) - 1
            if i >= 0 and at < spans[i][1]:
                at = find("#", spans[i][1])  # inside a string: on past it
                continue
        breaks = count("\n", counted, at)
        line += breaks
        counted = at
        line_start = ended + 1 if breaks == 1 and ended >= 0 else rfind("\n", 0, at) + 1
        ended = find("\n", at)
        body_end = ended if ended >= 0 else len(text)
        if crlf:
            cr = find("\r", at, body_end)
            if cr >= 0:
                body_end = cr
        own_line = line_start == at or text[line_start:at].isspace()
        add(_new(Comment, (text[at + 1:body_end], line, at - line_start + 1, own_line)))
        at = find("#", body_end)
    return tuple(found)


class FoundComments(Sequence[Comment]):
    """A YAML text's comments (`hash_comments`), found on first use. Only inline
    suppression reads comments, and only in a text that could hold a directive
    (suppression.directives tests the text first), so most files never pay for the scan.
    Equal to, and hashed as, the tuple of the comments, which is what loaders gave before."""

    __slots__ = ("_text", "_skip", "_found")

    def __init__(self, text: str, skip: Iterable[tuple[int, int]] = ()):
        self._text: Optional[str] = text
        self._skip: Iterable[tuple[int, int]] = skip
        self._found: Optional[tuple[Comment, ...]] = None

    def _all(self) -> tuple[Comment, ...]:
        found = self._found
        if found is None:
            found = self._found = hash_comments(self._text or "", self._skip)
            self._text, self._skip = None, ()
        return found

    @overload
    def __getitem__(self, index: int) -> Comment: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Comment, ...]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Comment, tuple[Comment, ...]]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Comment]:
        return iter(self._all())

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, FoundComments):
            other = other._all()
        return self._all() == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return repr(self._all())

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles carry the comments found
        return tuple, (self._all(),)
