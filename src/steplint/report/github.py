"""GitHub Actions workflow-command annotations, one line per finding.

Syntax and escaping from the workflow-commands docs
(https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions):
`%`, CR and LF are escaped everywhere, and `:` and `,` too inside property values.
GitHub shows at most 10 annotations of each level per step
(https://github.com/actions/toolkit/pull/734), so errors come first and a plain summary
line ends the log.
"""

from __future__ import annotations

from steplint.diagnostics import Severity
from steplint.report import Report
from steplint.report.text import summary

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    out = []
    for d in sorted(report.diagnostics, key=lambda d: (-d.severity, d.sort_key)):
        props = ",".join(
            f"{k}={escape_property(str(v))}"
            for k, v in (
                ("file", d.file),
                ("line", d.line),
                ("col", d.column),
                ("endLine", d.end_line or d.line),
                ("endColumn", d.end_column or d.column),
                ("title", f"steplint {d.code} ({d.name})"),
            )
        )
        out.append(f"::{_COMMAND[d.severity]} {props}::{escape_data(d.message)}")
    out.append(summary(report))
    return "\n".join(out) + "\n"
