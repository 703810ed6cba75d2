"""GitLab Code Quality report (a JSON array of Code Climate issues).

Fields per https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format:
description, check_name, fingerprint (stable across runs: it hashes the code, the path and
the message, not the line, so an edit above a finding does not reopen it), severity
(info, minor, major, critical, blocker), location.path and location.lines.begin.
"""

from __future__ import annotations

import hashlib
import json

from steplint.diagnostics import Diagnostic, Severity
from steplint.report import Report

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def fingerprint(d: Diagnostic) -> str:
    return hashlib.sha256(f"{d.code}\0{d.file}\0{d.message}".encode("utf-8")).hexdigest()


def render(report: Report) -> str:
    issues = [
        {
            "description": f"{d.code} [{d.name}] {d.message}",
            "check_name": d.code,
            "fingerprint": fingerprint(d),
            "severity": _SEVERITY[d.severity],
            "location": {"path": d.file, "lines": {"begin": d.line, "end": d.end_line or d.line}},
        }
        for d in report.diagnostics
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
