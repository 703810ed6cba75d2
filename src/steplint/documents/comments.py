"""Comments with positions, for inline suppressions (`# steplint: ignore[SL302]`).

Loaders drop comments, so they are found in the text: a `#` that starts a line or follows
a blank starts a comment, except inside spans the caller knows are string content
(quoted and block scalars in YAML, strings in TOML). JSON's comments (lenient mode) are
collected by its scanner with `make_comment`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterable

from steplint.documents.nodes import Comment
from steplint.documents.positions import LineIndex

# YAML, TOML and shell agree: a comment is a `#` at the start of a line or after a blank.
_HASH_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#([^\r\n]*)", re.M)


def make_comment(text: str, lines: LineIndex, offset: int, body: str) -> Comment:
    """The comment whose marker starts at `offset`; `body` is its text after the marker."""
    mark = lines.mark(offset)
    line_start = lines.starts[mark.line - 1]
    own_line = not text[line_start:offset].strip()
    return Comment(body, mark.line, mark.column, own_line)


def hash_comments(text: str, skip: Iterable[tuple[int, int]] = ()) -> tuple[Comment, ...]:
    """Every `#` comment of `text` outside the `skip` spans ((start, end) offsets)."""
    if "#" not in text:
        return ()
    spans = sorted(skip)
    starts = [s for s, _ in spans]
    found = []
    line, counted = 1, 0  # line number at offset `counted`; matches come in order
    for match in _HASH_COMMENT.finditer(text):
        at = match.start()
        i = bisect_right(starts, at) - 1
        if i >= 0 and at < spans[i][1]:
            continue  # inside a string
        line += text.count("\n", counted, at)
        counted = at
        line_start = text.rfind("\n", 0, at) + 1
        own_line = not text[line_start:at].strip()
        found.append(Comment(match.group(1), line, at - line_start + 1, own_line))
    return tuple(found)
