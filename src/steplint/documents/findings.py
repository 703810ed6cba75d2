"""What loaders return: a tree, comments and findings (SL001, SL002, SL004) as Diagnostics.

Loaders cannot import the rule registry (rules sit downstream of loading), so the three
input codes keep their pinned name and default severity here (architecture.md section 4).
The engine may still re-grade severities from settings; codes and names never change.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import Diagnostic, Location, Mark, Severity, Span
from steplint.documents.nodes import Comment, Document, Node

# code -> (name, default severity), as pinned in architecture.md section 4
LOADER_FINDINGS: dict[str, tuple[str, Severity]] = {
    "SL001": ("parse-error", Severity.ERROR),
    "SL002": ("duplicate-key", Severity.ERROR),
    "SL004": ("bad-value", Severity.ERROR),
}

Where = Union[Mark, Span, object, None]  # object: any node with a `span`


def _span_of(at: Where) -> Optional[Span]:
    if at is None:
        return None
    if isinstance(at, Span):
        return at
    if isinstance(at, Mark):
        return Span(at, at)
    span = getattr(at, "span", None)
    return span if isinstance(span, Span) else None


def loader_diagnostic(
    file: Union[str, Document],
    code: str,
    message: str,
    at: Where = None,
    related: tuple[Location, ...] = (),
) -> Diagnostic:
    """A SL001/SL002/SL004 finding in `file` (a path or a Document) at a mark, span or node.

    Without a position the finding points at 1:1, which is where editors jump for a
    whole-file problem (an unreadable file, a size cap).
    """
    name, severity = LOADER_FINDINGS[code]
    path = file if isinstance(file, str) else file.path
    span = _span_of(at)
    if span is None:
        return Diagnostic(code, name, severity, message, path, related=related)
    return Diagnostic(
        code,
        name,
        severity,
        message,
        path,
        line=span.start.line,
        column=span.start.column,
        end_line=span.end.line,
        end_column=span.end.column,
        related=related,
    )


def excerpt(text: str, limit: int = 40) -> str:
    """`text` for a one-line message: a hostile file can hold a megabyte-long key."""
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return text.replace("\n", "\\n").replace("\r", "\\r")


class LoadProblem(Exception):
    """Raised inside a loader to stop at the first fatal problem; `load_document` turns it
    into the one diagnostic the file gets."""

    def __init__(self, code: str, message: str, at: Where = None, related: tuple[Location, ...] = ()):
        super().__init__(message)
        self.code = code
        self.message = message
        self.at = at
        self.related = related


class Parsed(NamedTuple):
    """What each format's loader returns; `load_document` wraps it in a Document."""

    root: Optional[Node]
    comments: Sequence[Comment] = ()  # a tuple, or YAML's comments found on first use (comments.FoundComments)
    diagnostics: tuple[Diagnostic, ...] = ()


def failed(file: str, problem: LoadProblem) -> Parsed:
    """The Parsed of a file that could not be read: no tree, one finding."""
    return Parsed(None, (), (loader_diagnostic(file, problem.code, problem.message, problem.at, problem.related),))
