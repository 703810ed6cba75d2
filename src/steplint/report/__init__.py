"""Reporters, one module each, in a registry (see REPORTERS).

A reporter module defines `render(report: Report) -> str`; `--output-format` takes its
choices from REPORTERS, and the module is imported only when chosen.
"""

from __future__ import annotations

import importlib
from collections import Counter
from types import ModuleType
from typing import Mapping

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import EMPTY_MAPPING, Diagnostic, Severity

# --output-format name -> module in steplint.report
REPORTERS = {
    "text": "text",
    "full": "full",
    "json": "json",
    "github": "github",
    "sarif": "sarif",
    "gitlab": "gitlab",
    "junit": "junit",
}


class RuleMeta(NamedTuple):
    """What a reporter may say about a rule (SARIF's rule table), handed to it in the Report
    so no reporter imports the rule registry."""

    code: str
    name: str
    summary: str
    what: str
    help: str  # the rule's documentation as Markdown
    url: str
    severity: Severity
    fix: str  # "safe", "unsafe" or "none"


class Summary(NamedTuple):
    """The counts a report's summary speaks of. `Report.summary()` computes them from its
    findings; a streamed `check` (which keeps no finding after printing it) builds them
    from running counts and hands them to the reporter's summary as they are."""

    files_checked: int
    problems: int  # findings reported
    counts: Mapping[str, int]  # severity word ("error", "warning", "info") -> findings
    failing: int  # findings at or above fail_on
    fixable: int  # findings with a safe fix
    fixed: int  # fixes applied
    hidden_unsafe: int  # unsafe fixes available but not applied
    fail_on: Severity


class Report(NamedTuple):
    """What a `check` run found, as every reporter sees it."""

    diagnostics: tuple[Diagnostic, ...]  # sorted; what remains after fixing
    files_checked: int
    fail_on: Severity = Severity.WARNING
    fixed: tuple[Diagnostic, ...] = ()  # findings whose fix was applied
    hidden_unsafe: int = 0  # unsafe fixes available but not applied
    statistics: bool = False
    show_fixes: bool = False
    color: bool = False
    version: str = ""
    quiet: bool = False  # -q: finding lines only, no summary
    sources: Mapping[str, str] = EMPTY_MAPPING  # file -> text, for the `full` form's source lines
    rules: tuple[RuleMeta, ...] = ()  # the rules a reporter lists (SARIF), filled only for those that do

    def counts(self) -> Counter[str]:
        return Counter(str(d.severity) for d in self.diagnostics)

    def failing(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity >= self.fail_on)

    def fixable(self) -> int:
        return sum(1 for d in self.diagnostics if d.fix is not None and str(d.fix.applicability) == "safe")

    def summary(self) -> Summary:
        return Summary(
            files_checked=self.files_checked,
            problems=len(self.diagnostics),
            counts=self.counts(),
            failing=self.failing(),
            fixable=self.fixable(),
            fixed=len(self.fixed),
            hidden_unsafe=self.hidden_unsafe,
            fail_on=self.fail_on,
        )

    def summary_json(self) -> dict[str, object]:
        s = self.summary()
        return {
            "files": s.files_checked,
            "errors": s.counts.get("error", 0),
            "warnings": s.counts.get("warning", 0),
            "info": s.counts.get("info", 0),
            "failing": s.failing,
            "fail_on": str(s.fail_on),
            "fixed": s.fixed,
            "fixable": s.fixable,
        }


def get_reporter(name: str) -> ModuleType:
    """The reporter module for an `--output-format` value (KeyError when unknown)."""
    return importlib.import_module(f"steplint.report.{REPORTERS[name]}")


def needs_rules(name: str) -> bool:
    """Whether the reporter lists the rules (Report.rules must then be filled)."""
    return bool(getattr(get_reporter(name), "NEEDS_RULES", False))


def render(name: str, report: Report) -> str:
    text: str = get_reporter(name).render(report)
    return text
