"""Human text: `path:line:col: CODE [name] message`, one finding a line, then a summary.

The line form is what editors and problem matchers parse (pyflakes, ruff concise, gcc);
the summary says what fails the run, as ruff's "Found N errors" does.
"""

from __future__ import annotations

from collections import Counter

from steplint.diagnostics import Diagnostic, Severity
from steplint.report import Report

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}  # ANSI red, yellow, cyan


def _paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def line(d: Diagnostic, color: bool = False) -> str:
    where = _paint(f"{d.file}:{d.line}:{d.column}:", "1", color)
    code = _paint(d.code, "1;" + _COLOURS[d.severity], color)
    message = " ".join(d.message.splitlines())  # one finding, one line: problem matchers parse it
    return f"{where} {code} [{d.name}] {message}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 or word == "info" else "s")


def summary(report: Report) -> str:
    counts = report.counts()
    files = _plural(report.files_checked, "file")
    fixed = f" {len(report.fixed)} fixed." if report.fixed else ""
    if not report.diagnostics:
        return f"All checks passed ({files} checked).{fixed}"
    parts = ", ".join(_plural(counts[s], s) for s in ("error", "warning", "info") if counts.get(s))
    text = f"Found {_plural(len(report.diagnostics), 'problem')} ({parts}) in {files} checked"
    failing = report.failing()
    text += ("." if failing else f"; none at or above {report.fail_on}.") + fixed
    fixable = report.fixable()
    if fixable:
        text += f" {fixable} fixable with `--fix`."
    if report.hidden_unsafe:
        text += f" {report.hidden_unsafe} more with `--fix --unsafe-fixes`."
    return text


def statistics(report: Report) -> list[str]:
    """One tab-separated line per code: count, code, name (ruff's --statistics)."""
    counts = Counter((d.code, d.name) for d in report.diagnostics)
    return [f"{n}\t{code}\t{name}" for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def render(report: Report) -> str:
    out = [line(d, report.color) for d in report.diagnostics]
    if report.show_fixes and report.fixed:
        out.append("Fixed:")
        out.extend(f"  {d.file}:{d.line}:{d.column}: {d.code} [{d.name}] {d.fix.message if d.fix else ''}" for d in report.fixed)
    if report.statistics:
        out.extend(statistics(report))
    out.append(summary(report))
    return "\n".join(out) + "\n"
