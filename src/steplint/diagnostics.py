"""Values every layer shares: positions, severities, text edits, fixes and diagnostics.

Lines and columns are 1-based (what editors, SARIF and the JSON contract use); offsets
are 0-based indexes into the document's decoded text (BOM removed), which is what the
fixer splices.
"""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import Any, Mapping, Optional

from steplint._namedtuple import NamedTuple

# The default of a value's mapping field. A NamedTuple default is one object shared by
# every instance (a dataclass's default_factory made one per instance), so it is read-only.
EMPTY_MAPPING: Mapping[str, Any] = MappingProxyType({})


class Severity(enum.IntEnum):
    """Ordered so that `severity >= threshold` decides whether a finding fails a run."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @classmethod
    def parse(cls, name: str) -> "Severity":
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {name!r} (choose error, warning or info)") from None

    def __str__(self) -> str:  # "warning", as printed and as in JSON
        return self.name.lower()


class Mark(NamedTuple):
    """A point in a document: 1-based line and column, 0-based character offset."""

    line: int
    column: int
    offset: int


class Span(NamedTuple):
    """From `start` to `end` (exclusive), both in the same document."""

    start: Mark
    end: Mark


class Edit(NamedTuple):
    """Replace text[start:end] of `file` with `replacement` (offsets into decoded text)."""

    file: str
    start: int
    end: int
    replacement: str
    # Positions for reporting; the fixer only uses offsets.
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "content": self.replacement,
        }


class Expectation(NamedTuple):
    """After a fix, the value at `key` (dotted path as the dialect reads it) must equal `value`."""

    file: str
    key: str
    value: object


class Applicability(str, enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"

    def __str__(self) -> str:
        return self.value


class Fix(NamedTuple):
    """Edits that resolve one diagnostic; `--fix` applies SAFE ones, `--unsafe-fixes` all."""

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]
    # What the re-parsed file must say afterwards; the fixer refuses a fix that fails this.
    expect: tuple[Expectation, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "applicability": str(self.applicability),
            "message": self.message,
            "edits": [e.to_json() for e in self.edits],
        }


class Location(NamedTuple):
    """A further place a diagnostic refers to (e.g. the other file of a conflict)."""

    file: str
    line: int
    column: int
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message}


class Diagnostic(NamedTuple):
    """One finding, as every reporter prints it (JSON shape: architecture.md)."""

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int = 1
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    fix: Optional[Fix] = None
    related: tuple[Location, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line or self.line,
            "end_column": self.end_column or self.column,
            "fix": self.fix.to_json() if self.fix else None,
        }
        if self.related:
            out["related"] = [r.to_json() for r in self.related]
        return out

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)
