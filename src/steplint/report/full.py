"""Text with context: each finding line, then its source line and a caret under the span.

The shape of ruff's `--output-format full` (a gutter of line numbers, `|`, carets under the
flagged columns; https://docs.astral.sh/ruff/settings/#output-format). The summary and
`--statistics` behave as in the `text` form. Sources come from the Report (the texts the
engine read), so rendering never reads a file.
"""

from __future__ import annotations

from steplint.diagnostics import Diagnostic
from steplint.report import Report
from steplint.report import text


WINDOW = 160  # characters of a long source line shown around the span


def snippet(d: Diagnostic, source: str | None) -> list[str]:
    """The gutter lines for one finding: blank when the source or the line is not at hand."""
    if source is None:
        return []
    lines = [line.rstrip("\r") for line in source.split("\n")]  # as positions count lines: at "\n" only
    if not 1 <= d.line <= len(lines):
        return []
    # one column per character, as the positions count; a character that is not printable (NUL,
    # an ANSI escape) shows as U+FFFD, so a hostile file cannot write to the reader's terminal
    src = "".join(c if c.isprintable() else "\ufffd" for c in lines[d.line - 1].expandtabs(1))
    start = max(d.column, 1)
    # the span on this line; a span that runs on to later lines is marked to the line's end
    if d.end_line in (0, d.line):
        end = d.end_column if d.end_column > start else start + 1
    else:
        end = len(src) + 1
    end = max(min(end, len(src) + 1), start + 1)
    if len(src) > WINDOW:  # a minified or generated line: the window around the span
        left = max(0, start - 1 - WINDOW // 4)
        shown = src[left:left + WINDOW]
        lead = "..." if left else ""
        src = lead + shown + ("..." if left + WINDOW < len(src) else "")
        start, end = start - left + len(lead), min(end - left, len(shown) + 1) + len(lead)
        end = max(end, start + 1)
    width = len(str(d.line))
    pad = " " * width
    return [f"{pad} |", f"{d.line} | {src}", f"{pad} | {' ' * (start - 1)}{'^' * (end - start)}", f"{pad} |"]


# Findings about the whole recipe, not a line: no source snippet (SL005's details are in `show`).
_NO_SNIPPET = frozenset({"SL005"})


def finding(d: Diagnostic, report: Report) -> str:
    head = text.line(d, report.color)
    if d.code in _NO_SNIPPET:
        return head
    return "\n".join([head, *snippet(d, report.sources.get(d.file))])


def render(report: Report) -> str:
    return text.render(report, finding)
