"""Human text: `path:line:col: CODE severity [name] message`, one finding a line, then a summary.

The line form is what editors and problem matchers parse (pyflakes, ruff concise, gcc); the
severity is a word on every line, so colour is never its only carrier (architecture.md
section 5). The summary says what fails the run, as ruff's "Found N errors" does.
`--statistics` prints the per-rule table instead of the finding lines (ruff's
--statistics), `-q` the finding lines without the summary (ruff's --quiet).
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from steplint.diagnostics import Diagnostic, Severity
from steplint.report import Report, Summary

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}  # ANSI red, yellow, cyan


def _paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def line(d: Diagnostic, color: bool = False) -> str:
    where = _paint(f"{d.file}:{d.line}:{d.column}:", "1", color)
    code = _paint(d.code, "1;" + _COLOURS[d.severity], color)
    severity = _paint(str(d.severity), _COLOURS[d.severity], color)
    message = " ".join(d.message.splitlines())  # one finding, one line: problem matchers parse it
    return f"{where} {code} {severity} [{d.name}] {message}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 or word == "info" else "s")


def summary(report: Report) -> str:
    return summary_line(report.summary())


def summary_line(s: Summary) -> str:
    """The summary line from its counts (a streamed `check` passes running counts)."""
    counts = s.counts
    files = _plural(s.files_checked, "file")
    fixed = f" {s.fixed} fixed." if s.fixed else ""
    if not s.problems:
        return f"All checks passed ({files} checked).{fixed}"
    parts = ", ".join(_plural(counts[w], w) for w in ("error", "warning", "info") if counts.get(w))
    text = f"Found {_plural(s.problems, 'problem')} ({parts}) in {files} checked"
    text += ("." if s.failing else f"; none at or above {s.fail_on}.") + fixed
    if s.fixable:
        text += f" {s.fixable} fixable with `--fix`."
    if s.hidden_unsafe:
        text += f" {s.hidden_unsafe} more with `--fix --unsafe-fixes`."
    return text


def statistics(report: Report) -> list[str]:
    """One tab-separated line per code: count, code, name (ruff's --statistics)."""
    counts = Counter((d.code, d.name) for d in report.diagnostics)
    return [f"{n}\t{code}\t{name}" for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def render(report: Report, finding: Callable[..., str] = line) -> str:
    """The whole text report; `finding` renders one diagnostic (the `full` form passes its own)."""
    if report.statistics:
        out = statistics(report)
    else:
        out = [line(d, report.color) if finding is line else finding(d, report) for d in report.diagnostics]
        if report.show_fixes and report.fixed:
            out.append("Fixed:")
            out.extend(f"  {d.file}:{d.line}:{d.column}: {d.code} [{d.name}] {d.fix.message if d.fix else ''}" for d in report.fixed)
    if not report.quiet:
        out.append(summary(report))
    return "\n".join(out) + "\n" if out else ""
